"""The seed's "Query Examples" and "Debug Queries" run as written and return the expected rows."""

from datetime import timedelta

import pytest
from django.db import DataError, ProgrammingError, transaction
from django.utils import timezone

from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory
from profiles.tests.factories import UserProfileFactory
from quickactions.tests.factories import QuickActionFactory
from telemetry.services import log_system_event
from telemetry.tests.factories import SystemEventFactory
from tests.seed_queries import (
    ACTIVE_CONNECTIONS,
    DAILY_COUNTS_THIS_MONTH,
    DATABASE_SIZE,
    INDEX_USAGE,
    LAST_TEN_COMMANDS,
    MOST_USED_QUICK_ACTIONS,
    RECENT_ERRORS,
    SEED_INDEX_USAGE,
    TABLE_SIZES,
    for_profile,
    in_this_database,
)
from tests.sql import sql_one, sql_rows

pytestmark = pytest.mark.django_db


def test_last_ten_commands_of_a_user_newest_first():
    alex, mom = UserProfileFactory(name="Alex"), UserProfileFactory(name="Mom")
    now = timezone.now()
    for minutes in range(12):
        ActivityLogFactory(profile=alex, timestamp=now - timedelta(minutes=minutes), command_text=f"alex {minutes}")
    ActivityLogFactory(profile=mom, timestamp=now + timedelta(minutes=1))
    rows = sql_rows(for_profile(LAST_TEN_COMMANDS, alex))
    assert [row["command_text"] for row in rows] == [f"alex {m}" for m in range(10)]


def test_daily_counts_of_this_month_come_from_usage_statistics():
    profile = UserProfileFactory()
    today = timezone.localdate()
    ActivityLogFactory(profile=profile, status="success")
    ActivityLogFactory(profile=profile, status="failed")
    ActivityLogFactory(profile=profile, status="success", timestamp=timezone.now() - timedelta(days=40))
    rows = sql_rows(for_profile(DAILY_COUNTS_THIS_MONTH, profile))
    assert [(row["date"], row["command_count"], row["success_count"], row["failure_count"]) for row in rows] == [
        (today, 2, 1, 1)
    ]


def test_recent_errors_and_warnings():
    SystemEventFactory(severity="error", event_type="whisper_crash")
    SystemEventFactory(severity="info", event_type="startup")
    SystemEventFactory(severity="critical", event_type="old", timestamp=timezone.now() - timedelta(days=2))
    assert [row["event_type"] for row in sql_rows(RECENT_ERRORS)] == ["whisper_crash"]


def test_most_used_quick_actions_of_the_last_30_days():
    morning, night = QuickActionFactory(id="good_morning"), QuickActionFactory(id="goodnight")
    for _ in range(3):
        CommandHistoryFactory(quick_action_id=morning.id)
    CommandHistoryFactory(quick_action_id=night.id)
    CommandHistoryFactory(quick_action_id=night.id, timestamp=timezone.now() - timedelta(days=31))
    rows = sql_rows(MOST_USED_QUICK_ACTIONS)
    assert [(row["display_name"], row["usage_count"]) for row in rows] == [
        (morning.display_name, 3),
        (night.display_name, 1),
    ]


def test_debug_queries_run():
    assert sql_one(in_this_database(DATABASE_SIZE))["size_mb"] >= 0
    assert sql_one(in_this_database(ACTIVE_CONNECTIONS))["count"] >= 1
    tables = {row["tablename"] for row in sql_rows(TABLE_SIZES)}
    assert {"user_profiles", "activity_logs", "usage_statistics", "notification_queue"} <= tables
    indexes = {row["indexname"] for row in sql_rows(INDEX_USAGE)}
    assert {"activity_logs_profile_time_idx", "command_history_command_fts"} <= indexes


def test_seed_index_usage_query_names_columns_postgresql_does_not_have():
    """The seed's own query fails on every PostgreSQL; INDEX_USAGE is the corrected form."""
    with pytest.raises(ProgrammingError, match="tablename"), transaction.atomic():
        sql_rows(SEED_INDEX_USAGE)


def test_schema_migrations_lists_applied_migrations_newest_first():
    rows = sql_rows("SELECT * FROM schema_migrations ORDER BY executed_at DESC")
    assert {"version", "name", "executed_at"} <= set(rows[0])
    assert "activity.0001_initial" in {row["version"] for row in rows}


def test_log_system_event_from_sql_returns_the_new_id():
    profile = UserProfileFactory()
    new_id = sql_one(
        "SELECT log_system_event('n8n_timeout', 'error', 'n8n', 'Workflow took too long', "
        '\'{"workflow": "lights"}\', %s) AS id',
        [profile.pk],
    )["id"]
    row = sql_one("SELECT * FROM system_events WHERE id = %s", [new_id])
    assert (row["event_type"], row["severity"], row["component"], row["profile_id"]) == (
        "n8n_timeout",
        "error",
        "n8n",
        profile.pk,
    )


def test_log_system_event_defaults_metadata_and_profile():
    new_id = sql_one("SELECT log_system_event('boot', 'info', 'server', 'Started') AS id")["id"]
    row = sql_one("SELECT metadata, profile_id FROM system_events WHERE id = %s", [new_id])
    assert row == {"metadata": "{}", "profile_id": None}


def test_log_system_event_from_python_writes_the_same_row():
    from telemetry.models import SystemEvent

    profile = UserProfileFactory()
    event = SystemEvent.objects.get(
        pk=log_system_event(
            event_type="tts_failed",
            severity="warning",
            component="elevenlabs",
            message="Quota",
            metadata={"chars": 12},
            profile_id=profile.pk,
        )
    )
    assert (event.event_type, event.severity, event.metadata, event.profile_id) == (
        "tts_failed",
        "warning",
        {"chars": 12},
        profile.pk,
    )


def test_log_system_event_rejects_an_unknown_severity():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown severity 'fatal'"):
        log_system_event(event_type="x", severity="fatal", component="server", message="boom")
    with pytest.raises((DataError, Exception)), transaction.atomic():
        sql_one("SELECT log_system_event('x', 'fatal', 'server', 'boom')")


def test_recent_activity_view_shows_the_last_24_hours_with_names():
    alex = UserProfileFactory(name="Alex")
    ActivityLogFactory(profile=alex, command_text="tell me a joke")
    ActivityLogFactory(profile=None, command_text="anonymous")
    ActivityLogFactory(profile=alex, command_text="yesterday", timestamp=timezone.now() - timedelta(hours=25))
    rows = sql_rows("SELECT user_name, command_text FROM recent_activity")
    assert sorted((row["user_name"] or "", row["command_text"]) for row in rows) == [
        ("", "anonymous"),
        ("Alex", "tell me a joke"),
    ]


def test_user_statistics_summary_includes_profiles_without_activity():
    alex = UserProfileFactory(name="Alex")
    UserProfileFactory(name="Guest")
    ActivityLogFactory(profile=alex, status="success", processing_time_ms=100)
    ActivityLogFactory(profile=alex, status="failed", processing_time_ms=300)
    ActivityLogFactory(
        profile=alex, status="success", processing_time_ms=200, timestamp=timezone.now() - timedelta(days=3)
    )
    rows = {row["name"]: row for row in sql_rows("SELECT * FROM user_statistics_summary")}
    alex_row, guest_row = rows["Alex"], rows["Guest"]
    assert (alex_row["active_days"], alex_row["total_commands"]) == (2, 3)
    assert float(alex_row["avg_processing_time_ms"]) == 200.0
    assert float(alex_row["success_rate"]) == pytest.approx(66.67)
    assert alex_row["last_command_at"] is not None
    assert (guest_row["active_days"], guest_row["total_commands"], guest_row["success_rate"]) == (0, 0, None)
