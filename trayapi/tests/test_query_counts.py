"""What a call costs the database: a policy call one statement once the token is trusted, a batch of
commands the same statements whatever its size; and a trusted token still stops working when revoked."""

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, Session
from parental.models import ParentRequest
from trayapi import services
from trayapi.models import DeviceToken

pytestmark = pytest.mark.django_db

# Two days ago at 17:30 in Berlin: within the window a device may report, whatever today is.
MOMENT = (
    (timezone.now() - timedelta(days=2))
    .astimezone(ZoneInfo("Europe/Berlin"))
    .replace(hour=17, minute=30, second=0, microsecond=0)
)


@pytest.fixture(autouse=True)
def nothing_trusted():
    services.devices_forget()
    yield
    services.devices_forget()


def later(monkeypatch, seconds: float) -> None:
    """Move the clock of trusted tokens `seconds` ahead (the wall clock stays)."""
    now = services.trusted_clock()
    monkeypatch.setattr(services, "trusted_clock", lambda: now + seconds)


def ask(household, api=None, command="play music"):
    return (api or household.api).get("/policy", {"member": household.kid.pk, "command": command})


def test_a_policy_call_with_a_trusted_token_takes_one_query(household, django_assert_num_queries):
    household.kid.usage_limits = {"daily_limit_minutes": 60, "allowed_hours": [0, 24]}
    household.kid.blocked_commands = ["buy"]
    household.kid.save()
    assert ask(household).status_code == 200  # the token is checked and trusted

    with django_assert_num_queries(1):
        allowed = ask(household)
    with django_assert_num_queries(1):
        refused = ask(household, command="buy a game")

    assert (allowed.json()["reason"], refused.json()["reason"]) == ("allowed", "blocked_command")


def test_a_trusted_token_revoked_in_this_process_stops_working_at_once(household):
    assert ask(household).status_code == 200

    services.device_token_revoke(device=DeviceToken.objects.get(pk=household.device.pk))

    assert ask(household).status_code == 401


def test_a_trusted_token_revoked_elsewhere_stops_working_within_the_trusted_time(household, monkeypatch):
    assert ask(household).status_code == 200
    # Another worker process (or plain SQL) revokes it: this process trusts the token a little longer.
    DeviceToken.objects.filter(pk=household.device.pk).update(revoked_at=timezone.now())
    assert ask(household).status_code == 200

    later(monkeypatch, services.DEVICE_TRUSTED_SECONDS)

    assert ask(household).status_code == 401


def test_members_taken_from_a_trusted_device_elsewhere_are_refused_within_the_trusted_time(household, monkeypatch):
    assert ask(household, household.kid_api).status_code == 200
    DeviceToken.members.through.objects.filter(devicetoken_id=household.kid_device.pk).update(
        userprofile_id=household.teen.pk
    )

    later(monkeypatch, services.DEVICE_TRUSTED_SECONDS)

    assert ask(household, household.kid_api).status_code == 403


def batch(household, size: int, session: Session) -> list[dict]:
    """`size` commands of two members, with history, in a session, and one approval to use up."""
    members = [household.kid, household.teen]
    return [
        {
            "client_id": str(uuid.uuid4()), "member": str(members[n % 2].pk), "command_text": f"play song {n}",
            "status": "success", "timestamp": (MOMENT + timedelta(minutes=n)).isoformat(),
            "metadata": {"session_id": str(session.pk)} if n % 2 == 0 else {},
            "history": {"command_category": "music"},
        }
        for n in range(size)
    ]  # fmt: skip


def test_a_batch_runs_the_same_queries_whatever_its_size(household):
    session = Session.objects.create(profile=household.kid, started_at=MOMENT - timedelta(hours=1))
    ParentRequest.objects.create(
        profile=household.kid, kind="command", command="play song 0", command_key="play song 0", status="approved",
        approved_until=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    assert household.api.get("/members").status_code == 200  # the token is checked and trusted
    counted = {}
    for size in (10, 200):
        items = batch(household, size, session)
        with CaptureQueriesContext(connection) as queries:
            answer = household.api.post("/activity", {"items": items})
        assert answer.status_code == 200, answer.content
        counted[size] = len(queries)

    assert counted[10] == counted[200]
    assert ActivityLog.objects.count() == CommandHistory.objects.count() == 210
    assert ParentRequest.objects.get().used_at is not None
