"""usage_statistics, last_active_at and session counters stay exact through every kind of write."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from activity.models import ActivityLog, UsageStatistic
from activity.services import activity_record_many, usage_statistics_rebuild
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory
from activity.tests.oracle import expected_session_counters, expected_statistics, stored_statistics
from profiles.tests.factories import UserProfileFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("UTC"))


def stats_of(profile, day):
    return UsageStatistic.objects.get(profile=profile, date=day)


def test_status_corrections_count_one_command_once():
    command = ActivityLogFactory(timestamp=NOON, status="success")
    for status in ("failed", "success"):
        command.status = status
        command.save()
    row = stats_of(command.profile, NOON.date())
    assert (row.command_count, row.success_count, row.failure_count) == (1, 1, 0)


def test_pending_commands_count_nowhere_until_they_finish():
    command = ActivityLogFactory(timestamp=NOON, status="pending")
    assert not UsageStatistic.objects.filter(profile=command.profile).exists()
    command.status = "timeout"
    command.save()
    row = stats_of(command.profile, NOON.date())
    assert (row.command_count, row.failure_count, row.error_types) == (1, 1, {"timeout": 1})


def test_anonymous_successful_command_inserts_and_is_counted_nowhere():
    command = ActivityLogFactory(profile=None, status="success")
    assert ActivityLog.objects.filter(pk=command.pk).exists()
    assert UsageStatistic.objects.count() == 0


def test_anonymous_command_inserted_by_plain_sql_is_accepted():
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO activity_logs (command_text, status) VALUES ('hello', 'success')")
    assert UsageStatistic.objects.count() == 0


def test_day_that_loses_its_last_command_loses_its_row():
    command = ActivityLogFactory(timestamp=NOON)
    command.delete()
    assert not UsageStatistic.objects.filter(profile=command.profile).exists()


def test_moving_a_command_to_another_profile_moves_its_count():
    command = ActivityLogFactory(timestamp=NOON)
    first = command.profile
    second = UserProfileFactory()
    command.profile = second
    command.save()
    assert not UsageStatistic.objects.filter(profile=first).exists()
    assert stats_of(second, NOON.date()).command_count == 1


def test_every_column_is_filled_from_the_source_rows():
    profile = UserProfileFactory()
    commands = [  # after noon, text, status, confidence, processing ms, error, device
        (timedelta(0), "Lights on", "success", Decimal("0.90"), 100, None, "kitchen_mic"),
        (timedelta(minutes=5), "lights on ", "success", Decimal("0.81"), 300, None, "kitchen_mic"),
        (timedelta(hours=3), "weather", "failed", None, None, "n8n_unreachable: connection refused", "desk_mic"),
    ]
    for after, text, status, confidence, processing, error, device in commands:
        ActivityLogFactory(
            profile=profile, timestamp=NOON + after, command_text=text, status=status,
            transcription_confidence=confidence, processing_time_ms=processing, error_message=error,
            metadata={"device": device},
        )  # fmt: skip
    CommandHistoryFactory(profile=profile, timestamp=NOON, command_category="lights")
    CommandHistoryFactory(profile=profile, timestamp=NOON, command_category="weather")
    SessionFactory(profile=profile, started_at=NOON, ended_at=NOON + timedelta(minutes=10, seconds=30))

    row = stats_of(profile, NOON.date())
    assert row.command_count == 3
    assert (row.success_count, row.failure_count) == (2, 1)
    assert row.total_processing_time_ms == 400
    assert row.average_confidence == Decimal("0.86")  # (0.90 + 0.81) / 2 = 0.855, rounded half up
    assert row.unique_commands == 2
    assert row.peak_usage_hour == 12
    assert row.device_breakdown == {"kitchen_mic": 2, "desk_mic": 1}
    assert row.error_types == {"n8n_unreachable": 1}
    assert row.command_categories == {"lights": 1, "weather": 1}
    assert row.total_duration_seconds == 630


def test_last_active_follows_latest_finished_command_also_when_it_is_deleted():
    profile = UserProfileFactory()
    older = ActivityLogFactory(profile=profile, timestamp=NOON)
    newer = ActivityLogFactory(profile=profile, timestamp=NOON + timedelta(hours=1))
    ActivityLogFactory(profile=profile, timestamp=NOON + timedelta(hours=2), status="processing")
    profile.refresh_from_db()
    assert profile.last_active_at == newer.timestamp
    newer.delete()
    profile.refresh_from_db()
    assert profile.last_active_at == older.timestamp
    older.delete()
    profile.refresh_from_db()
    assert profile.last_active_at is None


def test_session_counters_follow_the_activity_rows_that_carry_the_session():
    session = SessionFactory()
    meta = {"session_id": str(session.pk)}
    ActivityLogFactory(profile=session.profile, metadata=meta, status="success")
    failing = ActivityLogFactory(profile=session.profile, metadata=meta, status="failed")
    ActivityLogFactory(profile=session.profile, status="failed")  # another session
    session.refresh_from_db()
    assert (session.command_count, session.error_count) == (2, 1)
    failing.delete()
    session.refresh_from_db()
    assert (session.command_count, session.error_count) == (1, 0)


@pytest.mark.parametrize(
    ("zone", "moments", "expected_days"),
    [
        # Across local midnight: 23:59:59 and 00:00:01 are different days.
        ("America/New_York", ["2026-06-15T23:59:59", "2026-06-16T00:00:01"], {"2026-06-15": 1, "2026-06-16": 1}),
        # DST starts (Berlin, 29 March 2026: 23-hour day): the local day still holds both.
        ("Europe/Berlin", ["2026-03-29T00:30:00", "2026-03-29T23:30:00"], {"2026-03-29": 2}),
        # DST ends (New York, 1 November 2026: 25-hour day), including the repeated hour.
        ("America/New_York", ["2026-11-01T01:30:00", "2026-11-01T23:59:00"], {"2026-11-01": 2}),
    ],
)
def test_days_follow_the_family_time_zone(settings, zone, moments, expected_days):
    settings.TIME_ZONE = zone
    profile = UserProfileFactory()
    for moment in moments:
        ActivityLogFactory(profile=profile, timestamp=datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(zone)))
    counts = {str(row.date): row.command_count for row in UsageStatistic.objects.filter(profile=profile)}
    assert counts == expected_days


def test_bulk_record_counts_every_touched_day_exactly():
    profile, other = UserProfileFactory(), UserProfileFactory()
    rows = [
        {
            "profile_id": profile.pk,
            "timestamp": NOON + timedelta(hours=n * 7),
            "command_text": f"cmd {n % 3}",
            "status": ["success", "failed", "pending"][n % 3],
            "metadata": {"device": "mic"},
        }
        for n in range(12)
    ] + [
        {"profile_id": other.pk, "timestamp": NOON, "command_text": "hi", "status": "success"},
        {"profile_id": None, "command_text": "anonymous", "status": "success"},
    ]
    assert activity_record_many(rows=rows) == 14
    assert stored_statistics() == expected_statistics()


def test_bulk_record_applies_database_defaults():
    activity_record_many(rows=[{"command_text": "defaults please"}])
    row = ActivityLog.objects.get(command_text="defaults please")
    assert (row.status, row.metadata, row.profile_id) == ("pending", {}, None)
    assert row.timestamp is not None


def test_bulk_record_rejects_unknown_columns_and_writes_nothing():
    with pytest.raises(ValidationError, match="Activity rows have no column colour"):
        activity_record_many(rows=[{"command_text": "x", "colour": "red"}])
    assert ActivityLog.objects.count() == 0


def test_rebuild_repairs_statistics_after_plain_sql_inserts():
    profile = UserProfileFactory()
    ActivityLogFactory(profile=profile, timestamp=NOON)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO activity_logs (profile_id, timestamp, command_text, status, processing_time_ms) "
            "SELECT %s, %s::timestamptz + n * interval '1 hour', 'sql ' || n, 'success', 10 "
            "FROM generate_series(1, 30) AS n",
            [profile.pk, NOON],
        )
        cursor.execute("UPDATE usage_statistics SET command_count = 999")
    assert stored_statistics() != expected_statistics()
    call_command("rebuild_usage_statistics")
    assert stored_statistics() == expected_statistics()
    profile.refresh_from_db()
    assert profile.last_active_at == NOON + timedelta(hours=30)


def test_rebuild_is_idempotent_and_reports_no_change_the_second_time():
    ActivityLogFactory(timestamp=NOON)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM usage_statistics")
    first = usage_statistics_rebuild()
    second = usage_statistics_rebuild()
    assert (first.inserted, second.changed) == (1, 0)


def test_rebuild_deletes_rows_of_days_that_have_no_commands_any_more():
    command = ActivityLogFactory(timestamp=NOON)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM activity_logs WHERE id = %s", [command.pk])
    assert usage_statistics_rebuild(since=NOON.date(), until=NOON.date()).deleted == 1
    assert UsageStatistic.objects.count() == 0


def test_rebuild_for_one_profile_leaves_the_others_alone(capsys):
    alex, mom = UserProfileFactory(name="Alex"), UserProfileFactory(name="Mom")
    ActivityLogFactory(profile=alex, timestamp=NOON)
    ActivityLogFactory(profile=mom, timestamp=NOON)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE usage_statistics SET command_count = 7")
    call_command("rebuild_usage_statistics", "--profile", "Alex", "--since", "2026-06-01", "--until", "2026-06-30")
    assert stats_of(alex, NOON.date()).command_count == 1
    assert stats_of(mom, NOON.date()).command_count == 7
    assert "1 updated" in capsys.readouterr().out


def test_rebuild_rejects_an_unknown_profile_and_a_reversed_range():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No profile named 'Nobody'"):
        call_command("rebuild_usage_statistics", "--profile", "Nobody")
    with pytest.raises(CommandError, match="is after"):
        call_command("rebuild_usage_statistics", "--since", "2026-02-01", "--until", "2026-01-01")


def test_session_counters_are_rebuilt_after_plain_sql_inserts():
    session = SessionFactory(started_at=NOON, ended_at=NOON + timedelta(hours=1))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO activity_logs (profile_id, timestamp, command_text, status, metadata) "
            "VALUES (%s, %s, 'a', 'failed', jsonb_build_object('session_id', %s::text))",
            [session.profile_id, NOON, str(session.pk)],
        )
    usage_statistics_rebuild()
    session.refresh_from_db()
    assert (session.command_count, session.error_count) == expected_session_counters()[session.pk] == (1, 1)
