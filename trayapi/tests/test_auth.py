"""Every API call needs a device token: missing, wrong and revoked tokens get the same 401; a token
limited to members acts for them only."""

import uuid

import pytest
from django.core.management import call_command

from activity.models import ActivityLog
from trayapi.models import DeviceToken
from trayapi.services import device_token_revoke
from trayapi.tests.conftest import Api

pytestmark = pytest.mark.django_db

CALLS = [
    ("get", "/policy", None),
    ("get", "/quick-actions", None),
    ("get", "/settings", None),
    ("get", "/members", None),
    ("get", "/notifications", None),
    ("post", "/activity", {"items": []}),
    ("patch", f"/activity/{uuid.uuid4()}", {}),
    ("post", "/sessions", {}),
    ("post", f"/sessions/{uuid.uuid4()}/end", {}),
    ("post", "/requests", {}),
    ("get", f"/requests/{uuid.uuid4()}", None),
    ("post", "/notifications/ack", {}),
]


def call(api: Api, method: str, path: str, body):
    return api.get(path) if method == "get" else api.send(method, path, body)


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_missing_wrong_and_revoked_tokens_get_the_same_401(household, method, path, body):
    revoked = Api(household.api.token)
    device_token_revoke(device=household.device)

    answers = [call(api, method, path, body) for api in (Api(None), Api("tt_not-a-token"), Api("Basic x"), revoked)]

    assert {answer.status_code for answer in answers} == {401}
    assert len({answer.content for answer in answers}) == 1


def test_a_token_limited_to_the_kid_may_not_act_for_another_member(household):
    item = {"client_id": str(uuid.uuid4()), "member": str(household.teen.pk), "command_text": "hi", "status": "success"}

    policy = household.kid_api.get("/policy", {"member": household.teen.pk, "command": "hi"})
    stored = household.kid_api.post("/activity", {"items": [item]})
    own = household.kid_api.get("/policy", {"member": household.kid.pk, "command": "hi"})

    assert (policy.status_code, stored.status_code, own.status_code) == (403, 403, 200)
    assert not ActivityLog.objects.exists()


def test_a_call_notes_when_and_from_where_the_device_was_last_used(household):
    household.api.get("/settings", REMOTE_ADDR="192.0.2.44")

    device = DeviceToken.objects.get(pk=household.device.pk)
    assert device.last_used_at is not None and device.last_used_from == "192.0.2.44"


def test_the_token_is_stored_only_as_its_hash(household):
    device = DeviceToken.objects.get(pk=household.device.pk)

    assert household.api.token not in (device.token_hash, device.token_prefix)
    assert household.api.token.startswith(device.token_prefix)


def test_commands_create_print_once_and_revoke(household, capsys):
    call_command("device_token_create", "garage speaker", "--member", "Alex")
    token = capsys.readouterr().out.strip()
    allowed = Api(token).get("/policy", {"member": household.kid.pk, "command": "hi"}).status_code
    refused = Api(token).get("/policy", {"member": household.teen.pk, "command": "hi"}).status_code

    call_command("device_token_revoke", "garage speaker")

    assert (allowed, refused) == (200, 403)
    assert Api(token).get("/settings").status_code == 401


def test_the_api_sets_no_cookie_and_needs_no_csrf_token(household):
    answer = household.api.post("/sessions", {"member": str(household.kid.pk)})

    assert answer.status_code == 201
    assert not answer.cookies
