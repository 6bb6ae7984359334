"""Sessions, the policy answer, and the quick actions and settings with their ETags."""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from activity.models import Session
from profiles.models import UserProfile
from quickactions.tests.factories import QuickActionFactory
from telemetry.models import Setting

pytestmark = pytest.mark.django_db

# Two days ago: within the window a device may report (tonnysite.safe_input), whatever today is.
START = (
    (timezone.now() - timedelta(days=2)).astimezone(ZoneInfo("UTC")).replace(hour=16, minute=0, second=0, microsecond=0)
)


def test_a_session_starts_and_ends_with_its_minutes(household):
    started = household.api.post("/sessions", {"member": str(household.kid.pk), "started_at": START.isoformat(),
                                               "client_version": "1.4.0", "client_platform": "linux"})  # fmt: skip
    session_id = started.json()["id"]

    ended = household.api.post(f"/sessions/{session_id}/end", {"ended_at": (START + timedelta(minutes=25)).isoformat()})
    again = household.api.post(f"/sessions/{session_id}/end", {})

    assert started.status_code == 201
    assert (ended.status_code, ended.json()["duration_seconds"]) == (200, 1500)
    assert again.status_code == 200
    assert Session.objects.get(pk=session_id).metadata == {"device": "living room tray"}


def test_starting_a_session_again_with_its_id_returns_the_same_one(household):
    body = {"id": str(uuid.uuid4()), "member": str(household.kid.pk)}

    first, second = household.api.post("/sessions", body), household.api.post("/sessions", body)

    assert first.json()["id"] == second.json()["id"] and Session.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"member": "x"},
        {"started_at": "noon"},
        {"client_version": "v" * 51},
        {"unknown": 1},
        {"started_at": "2026-11-20T16:00"},
    ],
)
def test_bad_session_values_get_400(household, body):
    assert household.api.post("/sessions", body).status_code == 400
    assert not Session.objects.exists()


def test_a_session_cannot_end_before_it_started_or_twice_at_different_times(household):
    session_id = household.api.post(
        "/sessions", {"member": str(household.kid.pk), "started_at": START.isoformat()}
    ).json()["id"]

    early = household.api.post(f"/sessions/{session_id}/end", {"ended_at": (START - timedelta(minutes=1)).isoformat()})
    household.api.post(f"/sessions/{session_id}/end", {"ended_at": (START + timedelta(minutes=5)).isoformat()})
    later = household.api.post(f"/sessions/{session_id}/end", {"ended_at": (START + timedelta(minutes=9)).isoformat()})

    assert (early.status_code, later.status_code) == (400, 400)
    assert household.api.post(f"/sessions/{uuid.uuid4()}/end", {}).status_code == 404


def test_the_policy_answers_allowed_reason_message_and_until(household):
    UserProfile.objects.filter(pk=household.kid.pk).update(usage_limits={"daily_limit_minutes": 0})

    answer = household.api.get("/policy", {"member": household.kid.pk, "command": "play music"})

    body = answer.json()
    assert answer.status_code == 200
    assert set(body) == {"allowed", "reason", "message", "until"}
    assert (body["allowed"], body["reason"]) == (False, "daily_limit_reached")
    assert "0 minutes" in body["message"]


@pytest.mark.parametrize("params", [{}, {"member": "x"}, {"member": str(uuid.uuid4())}, {"command": "hi"}])
def test_the_policy_refuses_a_missing_or_unknown_member(household, params):
    assert household.api.get("/policy", params).status_code == 400


def test_quick_actions_answer_304_until_one_changes(household):
    QuickActionFactory(id="good_night", display_name="Good night")
    first = household.api.get("/quick-actions")

    unchanged = household.api.get("/quick-actions", HTTP_IF_NONE_MATCH=first["ETag"])
    QuickActionFactory(id="wake_up", display_name="Wake up")
    changed = household.api.get("/quick-actions", HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and [a["id"] for a in first.json()] == ["good_night"]
    assert unchanged.status_code == 304 and not unchanged.content
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_settings_hide_sensitive_values_unless_the_device_may_read_them(household):
    Setting.objects.create(key="ui.theme", value="dark")
    Setting.objects.create(key="elevenlabs.api_key", value="sk-secret-1", is_sensitive=True)
    Setting.objects.create(key="n8n.token", value="n8n-secret-2", is_sensitive=True)
    household.device.sensitive_settings = ["elevenlabs.api_key"]
    household.device.save()

    plain, allowed = household.kid_api.get("/settings").json(), household.api.get("/settings").json()

    assert plain["ui.theme"] == "dark" and "elevenlabs.api_key" not in plain
    assert allowed["elevenlabs.api_key"] == "sk-secret-1" and "n8n.token" not in allowed
    assert household.api.get("/settings", HTTP_IF_NONE_MATCH=household.api.get("/settings")["ETag"]).status_code == 304
