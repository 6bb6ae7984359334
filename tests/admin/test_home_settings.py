"""`make run`'s home configuration serves with DEBUG off, and an error page shows no traceback."""

import pytest
from django.contrib import admin
from django.urls import reverse

from profiles.models import UserProfile
from tests.admin.conftest import signed_in_client
from tests.helpers import home_setting
from tonnysite.env import BASE_DIR


def test_make_run_serves_with_debug_off_by_default():
    assert home_setting("DEBUG") == "False"


def test_debug_is_on_only_when_asked_for():
    assert home_setting("DEBUG", DEBUG="1") == "True"


def test_wsgi_and_manage_py_use_the_home_settings():
    for entry_point in ("manage.py", "tonnysite/wsgi.py"):
        assert '"tonnysite.settings.local"' in (BASE_DIR / entry_point).read_text()


@pytest.mark.django_db(transaction=True)
def test_a_server_error_shows_the_error_page_without_traceback_or_values(family, monkeypatch, settings):
    settings.DEBUG = False
    secret = "sk-local-variable-9d1f"

    def broken(self, request):
        api_key = secret  # noqa: F841  (a local variable a debug page would show)
        raise RuntimeError(f"boom {secret}")

    monkeypatch.setattr(type(admin.site._registry[UserProfile]), "get_queryset", broken)
    client = signed_in_client("admin")
    client.raise_request_exception = False

    response = client.get(reverse("admin:profiles_userprofile_changelist"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Traceback" not in response.text
    assert secret not in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/admin/no-such-page/", 404, "Page not found"),
        ("/admin/activity/activitylog/?profile=not-an-id", 400, "is not a family member"),
        ("/admin/auth/user/", 403, "Not for this login"),
    ],
)
def test_error_pages_are_in_the_admins_look_and_say_what_happened(family, path, status, words):
    client = signed_in_client("kid" if status == 403 else "admin")

    response = client.get(path)

    assert response.status_code == status
    assert words in response.text
    assert "TonnyTray Family Admin" in response.text
