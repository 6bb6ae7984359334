"""Repeated wrong passwords lock a login out, even against the right password; axes_reset unlocks it."""

import pytest
from django.core.management import call_command

from tests.browser.pages import admin_sign_in
from tests.helpers import PARENT_PASSWORD, PARENT_USERNAME, WRONG_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def locked_out(page, settings, parent_login):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_sign_in(page, username=PARENT_USERNAME, password=WRONG_PASSWORD)


def test_wrong_passwords_below_the_limit_still_allow_sign_in(page, settings, parent_login):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_sign_in(page, username=PARENT_USERNAME, password=WRONG_PASSWORD)

    response = admin_sign_in(page, username=PARENT_USERNAME, password=PARENT_PASSWORD)

    assert response.status == 302
    assert page.url.endswith("/admin/")


def test_lockout_refuses_the_right_password(page, locked_out):
    response = admin_sign_in(page, username=PARENT_USERNAME, password=PARENT_PASSWORD)

    assert response.status == 429
    assert "Account locked" in page.locator("body").inner_text()


def test_lockout_keeps_the_admin_closed(page, locked_out):
    admin_sign_in(page, username=PARENT_USERNAME, password=PARENT_PASSWORD)

    page.goto("/admin/")
    assert "/admin/login/" in page.url


def test_axes_reset_unlocks_a_locked_out_login(page, locked_out):
    call_command("axes_reset", verbosity=0)

    response = admin_sign_in(page, username=PARENT_USERNAME, password=PARENT_PASSWORD)

    assert response.status == 302
    assert page.url.endswith("/admin/")
