"""Plain-SQL clients get the documented database defaults and ON DELETE behaviour."""

import time

import pytest
from django.db import connection

from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory, UsageStatisticFactory
from profiles.tests.factories import UserProfileFactory
from telemetry.tests.factories import NotificationFactory, SystemEventFactory
from tests.sql import sql_one, sql_rows

pytestmark = pytest.mark.django_db


def test_plain_sql_profile_gets_documented_defaults():
    row = sql_one("INSERT INTO user_profiles (name) VALUES ('Grandma') RETURNING *")
    assert row["id"] is not None
    assert row["permission_level"] == "user"
    assert row["response_mode"] == "both"
    assert row["is_active"] is True
    assert row["settings"] == "{}" or row["settings"] == {}
    assert row["created_at"] is not None
    assert row["created_at"] == row["updated_at"]
    assert row["last_active_at"] is None


@pytest.mark.parametrize(
    ("insert", "expected"),
    [
        (
            "INSERT INTO activity_logs (command_text) VALUES ('hi') RETURNING *",
            {"status": "pending", "profile_id": None, "metadata": "{}"},
        ),
        (
            "INSERT INTO system_events (event_type, message) VALUES ('boot', 'up') RETURNING *",
            {"severity": "info", "resolved_at": None, "metadata": "{}"},
        ),
        (
            "INSERT INTO notification_queue (notification_type, message) VALUES ('t', 'm') RETURNING *",
            {"priority": 5, "retry_count": 0, "max_retries": 3, "sent_at": None},
        ),
        (
            "INSERT INTO quick_actions (id, display_name, command_sequence) VALUES ('x', 'X', '{go}') RETURNING *",
            {"is_enabled": True, "required_permission": "user", "metadata": "{}"},
        ),
        (
            "INSERT INTO settings (key, value) VALUES ('a.b', '1') RETURNING *",
            {"is_sensitive": False, "is_user_editable": True},
        ),
        (
            "INSERT INTO command_history (command, raw_transcription) VALUES ('c', 'c') RETURNING *",
            {"typed_response": False, "is_favorite": False, "execution_metadata": "{}"},
        ),
        (
            "INSERT INTO sessions DEFAULT VALUES RETURNING *",
            {"command_count": 0, "error_count": 0, "duration_seconds": None, "metadata": "{}"},
        ),
    ],
)
def test_plain_sql_insert_of_required_columns_gets_defaults(insert, expected):
    row = sql_one(insert)
    assert {key: row[key] for key in expected} == expected
    if "id" in row and not isinstance(row["id"], str):
        assert row["id"] is not None


def test_plain_sql_statistics_row_gets_zero_counters():
    profile = UserProfileFactory()
    row = sql_one("INSERT INTO usage_statistics (profile_id, date) VALUES (%s, '2026-01-01') RETURNING *", [profile.pk])
    assert (row["command_count"], row["success_count"], row["failure_count"], row["total_processing_time_ms"]) == (
        0,
        0,
        0,
        0,
    )


def test_orm_and_plain_sql_rows_look_the_same():
    from profiles.models import UserProfile

    orm = UserProfile.objects.create(name="Orm Member")
    plain = sql_one("INSERT INTO user_profiles (name) VALUES ('Sql Member') RETURNING id")
    columns = ["permission_level", "response_mode", "is_active", "settings", "voice_training_data", "usage_limits"]
    listed = ", ".join(columns)
    rows = sql_rows(f"SELECT {listed} FROM user_profiles WHERE id IN (%s, %s)", [orm.pk, plain["id"]])
    assert rows[0] == rows[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", ["user_profiles", "quick_actions", "settings", "usage_statistics"])
def test_plain_sql_update_moves_updated_at(table):
    inserts = {
        "user_profiles": "INSERT INTO user_profiles (name) VALUES ('Timer') RETURNING updated_at",
        "quick_actions": "INSERT INTO quick_actions (id, display_name, command_sequence) "
        "VALUES ('timer', 'T', '{go}') RETURNING updated_at",
        "settings": "INSERT INTO settings (key, value) VALUES ('timer', '1') RETURNING updated_at",
        "usage_statistics": "INSERT INTO usage_statistics (profile_id, date) "
        "VALUES ((SELECT id FROM user_profiles WHERE name = 'Timer'), '2026-01-01') RETURNING updated_at",
    }
    if table == "usage_statistics":
        sql_one(inserts["user_profiles"])
    before = sql_one(inserts[table])["updated_at"]
    time.sleep(0.01)
    after = sql_one(f"UPDATE {table} SET created_at = created_at RETURNING updated_at")["updated_at"]
    assert after > before


def test_deleting_a_profile_by_plain_sql_keeps_the_audit_trail_and_drops_its_own_rows():
    profile = UserProfileFactory()
    activity = ActivityLogFactory(profile=profile)
    history = CommandHistoryFactory(profile=profile)
    session = SessionFactory(profile=profile)
    event = SystemEventFactory(profile=profile, resolved_by=profile)
    UsageStatisticFactory(profile=profile, date="2025-01-01")
    NotificationFactory(profile=profile)

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM user_profiles WHERE id = %s", [profile.pk])

    for table, pk in [("activity_logs", activity.pk), ("command_history", history.pk), ("sessions", session.pk)]:
        assert sql_one(f"SELECT profile_id FROM {table} WHERE id = %s", [pk]) == {"profile_id": None}
    assert sql_one("SELECT profile_id, resolved_by FROM system_events WHERE id = %s", [event.pk]) == {
        "profile_id": None,
        "resolved_by": None,
    }
    assert sql_rows("SELECT 1 FROM usage_statistics WHERE profile_id = %s", [profile.pk]) == []
    assert sql_rows("SELECT 1 FROM notification_queue WHERE profile_id = %s", [profile.pk]) == []
