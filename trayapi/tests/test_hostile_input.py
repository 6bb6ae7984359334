"""Property tests: random Unicode (lone surrogates, NUL, control and 4-byte characters) and random
offsets and years, fed to every tray API endpoint and to the quick-action import (page and command).
Every answer is 2xx or a JSON 4xx (the page: a 200 or a redirect), and a refused request stores nothing."""

import io
import json
import urllib.parse
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from activity.models import Session
from tests.admin.conftest import signed_in_client

pytestmark = pytest.mark.django_db

ODD = ["\ud800", "\udfff", "\x00", "\x01", "\x7f", "\u2028", "\ufeff", "😀", "𝄞", "\U0010ffff", "\r\n", "'", '"']
hostile_text = st.lists(st.one_of(st.characters(), st.sampled_from(ODD)), min_size=1, max_size=12).map("".join)


@st.composite
def hostile_moment(draw) -> str:
    """A time as a tray might send it: any year, any offset up to ±23:59, sometimes close to now."""
    if draw(st.booleans()):
        moment = timezone.now() + timedelta(minutes=draw(st.integers(-60 * 24 * 40, 60 * 24)))
        year, month, day, hour, minute = moment.year, moment.month, moment.day, moment.hour, moment.minute
    else:
        year, month, day = draw(st.integers(1, 9999)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
        hour, minute = draw(st.integers(0, 23)), draw(st.integers(0, 59))
    offset = draw(st.integers(-(24 * 60 - 1), 24 * 60 - 1))
    sign, (hours, minutes) = ("-" if offset < 0 else "+"), divmod(abs(offset), 60)
    return f"{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:00{sign}{hours:02}:{minutes:02}"


TABLES = ("activity_logs", "command_history", "sessions", "parent_requests", "usage_statistics", "quick_actions")


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in TABLES))  # noqa: S608
        return dict(cursor.fetchall())


def assert_answered(answer, before: dict[str, int]) -> None:
    """2xx, or a JSON 4xx in the documented shape with nothing stored."""
    assert answer.status_code < 300 or 400 <= answer.status_code < 500, (answer.status_code, answer.content[:300])
    if answer.status_code >= 400:
        assert answer["Content-Type"].startswith("application/json"), answer.content[:300]
        assert set(answer.json()) == {"detail", "errors"}
        assert row_counts() == before


EXAMPLES = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


def command(household, **values) -> dict:
    return {"client_id": str(uuid.uuid4()), "member": str(household.kid.pk), "command_text": "lights",
            "status": "success", **values}  # fmt: skip


@given(text=hostile_text, field=st.sampled_from(
    ["command_text", "response_text", "error_message", "history.command", "history.command_category",
     "metadata.value", "metadata.key"]))  # fmt: skip
@EXAMPLES
def test_recording_commands_with_odd_text(household, text, field):
    where, _, part = field.partition(".")
    value = {"history": {part: text}, "metadata": {"note": text} if part == "value" else {text: 1}}.get(where, text)
    before = row_counts()

    answer = household.api.post("/activity", {"items": [command(household, **{where: value})]})

    event(f"{answer.status_code}")
    assert_answered(answer, before)


@given(moment=hostile_moment())
@EXAMPLES
def test_recording_commands_with_odd_times(household, moment):
    before = row_counts()

    answer = household.api.post("/activity", {"items": [command(household, timestamp=moment)]})

    event(f"{answer.status_code}")
    assert_answered(answer, before)


@given(text=hostile_text, moment=hostile_moment())
@EXAMPLES
def test_sessions_start_and_end(household, text, moment):
    before = row_counts()
    assert_answered(household.api.post("/sessions", {"member": str(household.kid.pk), "client_version": text}), before)
    before = row_counts()
    assert_answered(household.api.post("/sessions", {"member": str(household.kid.pk), "started_at": moment}), before)
    session = Session.objects.create(profile=household.kid, started_at=timezone.now() - timedelta(minutes=30))
    before = row_counts()

    ended = household.api.post(f"/sessions/{session.pk}/end", {"ended_at": moment})

    assert_answered(ended, before)
    session.refresh_from_db()
    assert (ended.status_code == 200) == (session.ended_at is not None)


@given(text=hostile_text)
@EXAMPLES
def test_patching_a_command(household, text):
    recorded = str(uuid.uuid4())
    household.api.post(
        "/activity",
        {"items": [{"client_id": recorded, "member": str(household.kid.pk), "command_text": "x", "status": "pending"}]},
    )
    before = row_counts()

    answer = household.api.patch(f"/activity/{recorded}", {"status": "success", "response_text": text})

    assert_answered(answer, before)


@given(text=hostile_text, command=hostile_text)
@EXAMPLES
def test_asking_a_parent_and_the_policy(household, text, command):
    household.kid.usage_limits = {"daily_limit_minutes": 0}
    household.kid.save(update_fields=["usage_limits"])
    before = row_counts()

    asked = household.api.post(
        "/requests", {"member": str(household.kid.pk), "kind": "command", "command": command, "message": text}
    )
    assert_answered(asked, before)
    raw = urllib.parse.quote(command.encode("utf-8", "surrogatepass"))
    policy = household.api.get(f"/policy?member={household.kid.pk}&command={raw}")
    assert_answered(policy, row_counts())


def quick_actions_file(name: str, command: str, category: str) -> str:
    return json.dumps([{"id": "hostile", "display_name": name, "command_sequence": [command], "category": category}])


@given(name=hostile_text, command=hostile_text, category=hostile_text)
@EXAMPLES
def test_the_quick_action_import_page(household, name, command, category):
    parent = signed_in_client("mum")
    handle = io.BytesIO(quick_actions_file(name, command, category).encode("utf-8", "surrogatepass"))
    handle.name = "actions.json"
    before = row_counts()

    preview = parent.post("/admin/quickactions/quickaction/import/", {"file": handle})
    content = json.dumps(json.loads(quick_actions_file(name, command, category)))
    applied = parent.post(
        "/admin/quickactions/quickaction/import/", {"_apply": "1", "format": "json", "content": content}
    )

    assert preview.status_code == 200
    assert applied.status_code in (200, 302)
    if applied.status_code == 200:  # refused, with the problems on the page
        assert row_counts() == before


@given(name=hostile_text, command=hostile_text)
@EXAMPLES
def test_the_quick_action_import_command(household, tmp_path_factory, name, command):
    path = tmp_path_factory.mktemp("import") / "actions.json"
    path.write_text(quick_actions_file(name, command, ""), encoding="utf-8")
    before = row_counts()

    try:
        call_command("quick_actions_import", str(path), stdout=io.StringIO())
    except CommandError as refused:
        assert refused.returncode == 2
        assert row_counts() == before
