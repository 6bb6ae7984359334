"""The family admin (a superuser login) signs in and sees every table of the schema."""

import pytest

from profiles.services import family_admin_ensure
from tests.browser.pages import admin_index_models, admin_sign_in, schema_models

pytestmark = pytest.mark.browser

PASSWORD = "family-admin-pass-4e1b"


@pytest.fixture
def family_admin():
    return family_admin_ensure(username="parent", password=PASSWORD)


def test_family_admin_signs_in_to_the_admin_index(page, family_admin):
    admin_sign_in(page, username="parent", password=PASSWORD)

    assert page.url.endswith("/admin/")
    assert page.locator("#user-tools").inner_text().upper().startswith("WELCOME")


def test_family_admin_sees_every_table_of_the_schema(page, family_admin):
    admin_sign_in(page, username="parent", password=PASSWORD)

    assert schema_models() <= admin_index_models(page)


def test_wrong_password_keeps_the_family_admin_out(page, family_admin):
    admin_sign_in(page, username="parent", password="not-the-password")

    assert "/admin/login/" in page.url
    assert page.locator(".errornote").is_visible()
