"""Device tokens in the admin: made by a family admin, shown once, revoked; nobody else gets in."""

import pytest
from django.urls import reverse

from tests.admin.conftest import signed_in_client
from trayapi.models import DeviceToken
from trayapi.services import token_hash
from trayapi.tests.conftest import Api

pytestmark = pytest.mark.django_db


def test_a_family_admin_makes_a_token_shown_once_limited_to_a_member(household):
    parent = signed_in_client("mum")

    page = parent.post(
        reverse("admin:trayapi_devicetoken_add"),
        {"name": "kitchen speaker", "members": [str(household.kid.pk)], "sensitive_settings": "elevenlabs.api_key\n"},
    )

    html = page.content.decode()
    token = html.split('id="device-token" class="device-token">')[1].split("<")[0]
    device = DeviceToken.objects.get(name="kitchen speaker")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert device.token_hash == token_hash(token) and device.sensitive_settings == ["elevenlabs.api_key"]
    assert list(device.members.all()) == [household.kid]
    assert Api(token).get("/policy", {"member": household.kid.pk, "command": "hi"}).status_code == 200
    again = parent.get(reverse("admin:trayapi_devicetoken_change", args=[device.pk])).content.decode()
    assert token not in again and device.token_prefix in again


def test_a_duplicate_or_empty_name_is_a_form_error(household):
    parent = signed_in_client("mum")

    duplicate = parent.post(reverse("admin:trayapi_devicetoken_add"), {"name": "Living Room Tray"})
    empty = parent.post(reverse("admin:trayapi_devicetoken_add"), {"name": "  "})

    assert duplicate.status_code == 200 and "exists already" in duplicate.content.decode()
    assert empty.status_code == 200 and "device-token" not in empty.content.decode()
    assert DeviceToken.objects.count() == 2


def test_the_revoke_action_ends_the_token(household):
    parent = signed_in_client("mum")

    parent.post(
        reverse("admin:trayapi_devicetoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [str(household.device.pk)]},
    )

    assert DeviceToken.objects.get(pk=household.device.pk).revoked_at is not None
    assert household.api.get("/settings").status_code == 401
    assert household.kid_api.get("/settings").status_code == 200
