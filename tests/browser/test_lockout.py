"""Repeated wrong passwords lock a login out, even against the right password; axes_reset unlocks it."""

import pytest
from django.core.management import call_command

from profiles.services import family_admin_ensure
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

USERNAME = "parent"
PASSWORD = "family-admin-pass-4e1b"
WRONG_PASSWORD = "guessing-again-91d2"


@pytest.fixture
def family_admin():
    return family_admin_ensure(username=USERNAME, password=PASSWORD)


@pytest.fixture
def locked_out(page, settings, family_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(page, username=USERNAME, password=WRONG_PASSWORD)


def test_wrong_passwords_below_the_limit_still_allow_sign_in(page, settings, family_admin):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_sign_in(page, username=USERNAME, password=WRONG_PASSWORD)

    response = admin_sign_in(page, username=USERNAME, password=PASSWORD)

    assert response.status == 302
    assert page.url.endswith("/admin/")


def test_lockout_refuses_the_right_password(page, locked_out):
    response = admin_sign_in(page, username=USERNAME, password=PASSWORD)

    assert response.status == 429
    assert "Account locked" in page.locator("body").inner_text()


def test_lockout_keeps_the_admin_closed(page, locked_out):
    admin_sign_in(page, username=USERNAME, password=PASSWORD)

    page.goto("/admin/")
    assert "/admin/login/" in page.url


def test_axes_reset_unlocks_a_locked_out_login(page, locked_out):
    call_command("axes_reset", verbosity=0)

    response = admin_sign_in(page, username=USERNAME, password=PASSWORD)

    assert response.status == 302
    assert page.url.endswith("/admin/")
