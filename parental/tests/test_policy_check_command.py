"""manage.py policy_check MEMBER "COMMAND" [--at] [--json]: the decision for parents and scripts."""

import json
import subprocess
import sys
from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from activity.models import Session
from profiles.tests.factories import UserProfileFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def alex(db, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    return UserProfileFactory(
        name="Alex",
        permission_level="kid",
        allowed_commands=["play music"],
        blocked_commands=["buy"],
        usage_limits={"allowed_hours": [7, 21], "weekend_limit": 90},
    )


def check(*args) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("policy_check", *args, stdout=out)
    except SystemExit as exit_:
        return out.getvalue(), exit_.code
    return out.getvalue(), 0


def test_json_answer_has_allowed_reason_message_rule_and_until(alex):
    text, status = check("Alex", "Play music!", "--at", "2026-11-28T21:30", "--json")
    answer = json.loads(text)
    assert status == 1
    assert answer["allowed"] is False
    assert answer["reason"] == "outside_allowed_hours"
    assert answer["until"] == "2026-11-29T07:00:00+01:00"
    assert answer["rule"].startswith("Saturday")
    assert "07:00" in answer["message"]


def test_at_without_an_offset_is_the_familys_wall_clock_and_with_one_is_as_given(alex):
    local = json.loads(check("alex", "play music", "--at", "2026-11-28T20:30", "--json")[0])
    assert local["allowed"] is True and local["at"] == "2026-11-28T20:30:00+01:00"
    utc = json.loads(check("alex", "play music", "--at", "2026-11-28T20:30+00:00", "--json")[0])
    assert utc["allowed"] is False and utc["at"] == "2026-11-28T21:30:00+01:00"


def test_member_by_id_and_answer_in_words(alex):
    start = datetime.fromisoformat("2026-11-28T08:00+01:00")
    Session.objects.create(profile=alex, started_at=start, ended_at=start + timedelta(minutes=40))
    text, status = check(str(alex.pk), "play music", "--at", "2026-11-28T10:00")
    assert status == 0
    assert "Alex may run “play music” at Sat 28 Nov 2026 10:00 (Europe/Berlin)." in text
    assert "rule:    Saturday: allowed hours 07:00–21:00; weekend limit 90 min" in text
    assert "used today: 40 of 90 min" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Nobody", "play music"), "No family member is called or has the id “Nobody”"),
        (("Alex", "play music", "--at", "tomorrow"), "--at “tomorrow” is not a time"),
        (("Alex", "play music", "--at", "2026-02-30T10:00"), "is not a time"),
        (("Alex", "   "), "COMMAND is the text of a command"),
        (("Al\x00ex", "play music"), "MEMBER is a family member's name or id"),
    ],
)
def test_bad_input_is_a_clear_message(alex, args, message):
    with pytest.raises(CommandError, match=message) as caught:
        call_command("policy_check", *args, stdout=StringIO())
    assert caught.value.returncode == 2


def test_bad_input_from_the_shell_exits_non_zero_without_a_traceback():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "policy_check", "Alex", "play music", "--at", "half past eight"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "is not a time" in result.stderr
    assert "Traceback" not in result.stderr
