"""dashboard_family_days (the whole family's figures per day, kept by triggers on usage_statistics)
equals a recomputation from usage_statistics, row by row in Python, after writes of every kind: the
signals, the bulk path, the rebuild, plain SQL updates and deletes, a member's deletion and TRUNCATE."""

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from activity.models import UsageStatistic
from activity.services import activity_record_many, usage_statistics_rebuild
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory
from profiles.tests.factories import UserProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")
MAPS = ("top_commands", "error_types", "device_breakdown", "quick_action_counts")


def recomputed() -> dict:
    """Per day: the sums of every member's usage_statistics row, added up here in Python."""

    def empty() -> dict:
        counts = dict.fromkeys(("member_days", "commands", "success", "failed", "timeout", "seconds"), 0)
        return {**counts, "confidence_sum": Decimal(0), "confidence_commands": 0, "hours": Counter(),
                "histograms": Counter(), **{name: Counter() for name in MAPS}}  # fmt: skip

    days = defaultdict(empty)
    for row in UsageStatistic.objects.all():
        day = days[row.date]
        day["member_days"] += 1
        day["commands"] += row.command_count or 0
        day["success"] += row.success_count or 0
        day["failed"] += (row.failure_count or 0) - (row.timeout_count or 0)
        day["timeout"] += row.timeout_count or 0
        day["seconds"] += row.total_duration_seconds or 0
        if row.average_confidence is not None:
            day["confidence_sum"] += row.average_confidence * (row.command_count or 0)
            day["confidence_commands"] += row.command_count or 0
        day["hours"].update(dict(enumerate(row.hourly_counts or [])))
        flat = [n for component in row.timing_histograms or [] for n in component]
        day["histograms"].update(dict(enumerate(flat)))
        for name in MAPS:
            day[name].update(getattr(row, name) or {})
    return {date: _without_zeros(day) for date, day in days.items()}


def stored() -> dict:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT date, member_days, command_count, success_count, failed_count, timeout_count,
                      duration_seconds, confidence_sum, confidence_commands, hourly_counts, timing_histograms,
                      top_commands, error_types, device_breakdown, quick_action_counts
               FROM dashboard_family_days WHERE member_days <> 0"""
        )
        rows = cursor.fetchall()
    keys = ("member_days", "commands", "success", "failed", "timeout", "seconds", "confidence_sum",
            "confidence_commands")  # fmt: skip
    days = {}
    for date, *values in rows:
        values, (hours, histograms), maps = values[:8], values[8:10], values[10:]
        day = dict(zip(keys, values, strict=True))
        day["hours"] = Counter(dict(enumerate(hours)))
        day["histograms"] = Counter(dict(enumerate(histograms)))
        day.update({name: Counter(json.loads(value)) for name, value in zip(MAPS, maps, strict=True)})
        days[date] = _without_zeros(day)
    return days


def _without_zeros(day: dict) -> dict:
    return {key: +value if isinstance(value, Counter) else value for key, value in day.items()}


def at(days_ago: int, hour: int) -> datetime:
    moment = datetime.now(BERLIN) - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=7, second=0, microsecond=0)


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def members():
    kids = [UserProfileFactory(name=f"Kid {n}") for n in range(3)]
    for n, kid in enumerate(kids):
        for days_ago in (1, 2, 40):
            ActivityLogFactory(profile=kid, timestamp=at(days_ago, 8 + n), command_text="lights on",
                               processing_time_ms=120 + n, metadata={"device": "kitchen"})  # fmt: skip
            ActivityLogFactory(profile=kid, timestamp=at(days_ago, 20), status="failed", command_text="buy a game",
                               metadata={"error_type": "policy_refused"})  # fmt: skip
        ActivityLogFactory(profile=kid, timestamp=at(2, 12), status="timeout", command_text=f"weather {n}")
        SessionFactory(profile=kid, started_at=at(1, 8), ended_at=at(1, 9))
        CommandHistoryFactory(profile=kid, timestamp=at(1, 8), quick_action_id="good_morning")
    return kids


def test_the_family_days_equal_the_members_rows_added_up_after_the_signals(members):
    assert stored() == recomputed()
    assert len(stored()) == 3


def test_the_bulk_path_and_the_rebuild_keep_them(members):
    activity_record_many(rows=[
        {"profile_id": kid.pk, "timestamp": at(days_ago, 15), "command_text": f"play music {days_ago}",
         "status": "success", "transcription_confidence": Decimal("0.81")}
        for kid in members for days_ago in (1, 3, 5)
    ])  # fmt: skip
    assert stored() == recomputed()

    usage_statistics_rebuild(since=(datetime.now(BERLIN) - timedelta(days=60)).date())

    assert stored() == recomputed()


def test_plain_sql_updates_and_deletes_keep_them(members):
    by_hand = (datetime.now(BERLIN) - timedelta(days=300)).date()
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE usage_statistics SET command_count = command_count + 5, average_confidence = 0.5,
                      top_commands = top_commands || '{"a new one": 4}', error_types = '{}',
                      hourly_counts[3] = coalesce(hourly_counts[3], 0) + 2
               WHERE profile_id = %s""",
            [members[0].pk],
        )
        cursor.execute(
            "DELETE FROM usage_statistics WHERE profile_id = %s AND date < current_date - 10", [members[1].pk]
        )
        cursor.execute(
            """INSERT INTO usage_statistics (profile_id, date, command_count, success_count, failure_count,
                                             timeout_count, top_commands, hourly_counts)
               VALUES (%s, %s, 2, 1, 1, 0, '{"by hand": 2}', array_fill(0, ARRAY[24]))""",
            [members[2].pk, by_hand],
        )
    assert stored() == recomputed()
    assert stored()[by_hand]["top_commands"] == {"by hand": 2}


def test_a_members_deletion_and_truncate_keep_them(members):
    members[0].delete()  # usage_statistics rows go by ON DELETE CASCADE

    assert stored() == recomputed()

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE usage_statistics")
    assert stored() == recomputed() == {}


def test_a_count_that_comes_to_zero_leaves_the_map(members):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE usage_statistics SET quick_action_counts = '{}'")
        cursor.execute("SELECT count(*) FROM dashboard_family_days WHERE quick_action_counts <> '{}'")
        assert cursor.fetchone() == (0,)
    assert stored() == recomputed()
