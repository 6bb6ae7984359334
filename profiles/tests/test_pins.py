"""Parental-control PINs: only 4 to 8 ASCII digits, stored as a bcrypt hash; the database
refuses a PIN in clear but admits any value with a bcrypt prefix, which then never verifies."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from profiles.models import UserProfile
from profiles.services import pin_set, pin_validate, pin_verify
from profiles.tests.factories import UserProfileFactory
from tests.sql import sql_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("pin", ["0000", "1234", "12345678"])
def test_a_pin_of_4_to_8_ascii_digits_is_accepted(pin):
    profile = UserProfileFactory()
    pin_set(profile=profile, pin=pin)
    assert pin_verify(profile=profile, pin=pin)


@pytest.mark.parametrize(
    "pin",
    [
        "١٢٣٤",  # Arabic-Indic digits: str.isdigit() says yes
        "²³⁴⁵",  # superscripts: str.isdigit() says yes
        "１２３４",  # fullwidth digits
        "123",
        "123456789",
        "12a4",
        "12 34",
        "",
    ],
)
def test_a_pin_that_is_not_4_to_8_ascii_digits_is_refused(pin):
    with pytest.raises(ValidationError, match="4 to 8 digits, each 0 to 9"):
        pin_validate(pin=pin)
    profile = UserProfileFactory()
    with pytest.raises(ValidationError):
        pin_set(profile=profile, pin=pin)
    profile.refresh_from_db()
    assert profile.pin_hash is None


@pytest.mark.parametrize(
    "stored",
    ["$2b$12$placeholder", "$2a$10$", "$2y$04$abc", "$2b$12$" + "x" * 60],
)
def test_plain_sql_may_store_any_value_with_a_bcrypt_prefix(stored):
    sql_rows("INSERT INTO user_profiles (name, pin_hash) VALUES ('Grandma', %s)", [stored])
    sql_rows("INSERT INTO user_profiles (name) VALUES ('Grandpa')")
    sql_rows("UPDATE user_profiles SET pin_hash = %s WHERE name = 'Grandpa'", [stored])
    assert set(UserProfile.objects.values_list("pin_hash", flat=True)) == {stored}


@pytest.mark.parametrize("stored", ["1234", "", "$2b$1$abc", "$2x$12$abc", "2b$12$abc", "$2b12$abc"])
def test_plain_sql_cannot_store_a_pin_in_clear_or_without_the_prefix(stored):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        sql_rows("INSERT INTO user_profiles (name, pin_hash) VALUES ('Grandma', %s)", [stored])
    assert error.value.__cause__.diag.constraint_name == "user_profiles_pin_hash_bcrypt"
    profile = UserProfileFactory(name="Grandpa")
    with pytest.raises(IntegrityError), transaction.atomic():
        sql_rows("UPDATE user_profiles SET pin_hash = %s WHERE id = %s", [stored, profile.pk])


@pytest.mark.parametrize("stored", ["$2b$12$placeholder", "$2a$10$", "$2y$10$" + "a" * 53])
def test_verifying_against_a_placeholder_hash_is_false(stored):
    profile = UserProfileFactory(pin_hash=stored)
    assert pin_verify(profile=profile, pin="1234") is False
