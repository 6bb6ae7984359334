"""Failed sign-ins and lockouts become system events, never carrying the password."""

import json

import pytest
from django.http import HttpRequest
from django.urls import reverse

from telemetry.models import SystemEvent
from tests.helpers import PARENT_PASSWORD, PARENT_USERNAME, WRONG_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("admin:login"), {"username": username, "password": password})


def fail_until_locked_out(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, PARENT_USERNAME, WRONG_PASSWORD)


def row_text(event_type):
    """Every column of the event's rows as one string, to search for leaks."""
    return json.dumps(list(SystemEvent.objects.filter(event_type=event_type).values()), default=str)


def test_failed_sign_in_is_logged_as_warning_event(client, parent_login):
    sign_in(client, PARENT_USERNAME, WRONG_PASSWORD)

    event = SystemEvent.objects.get(event_type="auth.login_failed")
    assert event.severity == "warning"
    assert event.component == "admin"
    assert event.metadata == {"username": PARENT_USERNAME, "ip_address": "127.0.0.1"}


def test_failed_sign_in_for_unknown_username_is_logged(client, parent_login):
    sign_in(client, "nobody-here", WRONG_PASSWORD)

    assert SystemEvent.objects.get(event_type="auth.login_failed").metadata["username"] == "nobody-here"


def test_failed_sign_in_event_never_contains_the_password(client, parent_login):
    sign_in(client, PARENT_USERNAME, WRONG_PASSWORD)

    assert WRONG_PASSWORD not in row_text("auth.login_failed")


def test_failed_sign_in_without_client_address_is_logged(client, parent_login):
    # axes needs a request; the test client's login() passes none unless given one.
    assert client.login(request=HttpRequest(), username=PARENT_USERNAME, password=WRONG_PASSWORD) is False

    assert SystemEvent.objects.get(event_type="auth.login_failed").metadata == {
        "username": PARENT_USERNAME,
        "ip_address": None,
    }


def test_successful_sign_in_logs_no_event(client, parent_login):
    response = sign_in(client, PARENT_USERNAME, PARENT_PASSWORD)

    assert response.status_code == 302
    assert not SystemEvent.objects.exists()


def test_every_failed_sign_in_is_its_own_event(client, parent_login):
    sign_in(client, PARENT_USERNAME, WRONG_PASSWORD)
    sign_in(client, PARENT_USERNAME, WRONG_PASSWORD)

    assert SystemEvent.objects.filter(event_type="auth.login_failed").count() == 2


def test_lockout_is_logged_as_error_event(client, settings, parent_login):
    fail_until_locked_out(client, settings)

    event = SystemEvent.objects.get(event_type="auth.locked_out")
    assert event.severity == "error"
    assert event.component == "admin"
    assert event.metadata == {"username": PARENT_USERNAME, "ip_address": "127.0.0.1"}


def test_no_lockout_is_logged_below_the_failure_limit(client, settings, parent_login):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, PARENT_USERNAME, WRONG_PASSWORD)

    assert not SystemEvent.objects.filter(event_type="auth.locked_out").exists()


def test_lockout_event_never_contains_the_password(client, settings, parent_login):
    fail_until_locked_out(client, settings)

    assert WRONG_PASSWORD not in row_text("auth.locked_out")


def test_right_password_is_refused_and_logged_during_lockout(client, settings, parent_login):
    fail_until_locked_out(client, settings)

    response = sign_in(client, PARENT_USERNAME, PARENT_PASSWORD)

    assert response.status_code == 429
    assert SystemEvent.objects.filter(event_type="auth.login_failed").count() == settings.AXES_FAILURE_LIMIT + 1
    assert PARENT_PASSWORD not in row_text("auth.login_failed") + row_text("auth.locked_out")


def test_attempts_refused_during_a_lockout_record_no_further_lockout(client, settings, parent_login):
    fail_until_locked_out(client, settings)

    for _ in range(4):
        assert sign_in(client, PARENT_USERNAME, PARENT_PASSWORD).status_code == 429
        sign_in(client, PARENT_USERNAME, WRONG_PASSWORD)

    assert SystemEvent.objects.filter(event_type="auth.locked_out").count() == 1


def test_a_new_lockout_after_an_unlock_is_recorded_again(client, settings, parent_login):
    from axes.utils import reset

    fail_until_locked_out(client, settings)
    reset(username=PARENT_USERNAME)

    fail_until_locked_out(client, settings)

    assert SystemEvent.objects.filter(event_type="auth.locked_out").count() == 2
