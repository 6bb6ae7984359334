"""The seed's four enum types exist in the database and plain SQL written against the seed works."""

import pytest
from django.db import DataError, connection, transaction
from psycopg import errors

from activity.models import ActivityLog, CommandStatus
from activity.tests.factories import ActivityLogFactory
from profiles.models import PermissionLevel, ResponseMode, UserProfile
from profiles.tests.factories import UserProfileFactory
from quickactions.models import QuickAction
from quickactions.tests.factories import QuickActionFactory
from telemetry.models import EventSeverity, SystemEvent
from telemetry.services import log_system_event
from telemetry.tests.factories import SystemEventFactory
from tests.sql import sql_one, sql_rows

pytestmark = pytest.mark.django_db

# The seed's CREATE TYPE statements, values in their order.
SEED_ENUMS = {
    "permission_level": ["admin", "user", "kid", "guest"],
    "event_severity": ["debug", "info", "warning", "error", "critical"],
    "command_status": ["pending", "processing", "success", "failed", "timeout"],
    "response_mode": ["text_only", "voice_only", "both"],
}


@pytest.mark.parametrize("type_name", SEED_ENUMS)
def test_enum_range_equals_the_seed(type_name):
    row = sql_one(f"SELECT enum_range(NULL::{type_name})::text[] AS labels")
    assert row["labels"] == SEED_ENUMS[type_name]


@pytest.mark.parametrize(
    ("choices", "type_name"),
    [
        (PermissionLevel, "permission_level"),
        (EventSeverity, "event_severity"),
        (CommandStatus, "command_status"),
        (ResponseMode, "response_mode"),
    ],
)
def test_choices_follow_the_enum_in_order(choices, type_name):
    assert choices.values == SEED_ENUMS[type_name]


@pytest.mark.parametrize(
    ("table", "column", "type_name"),
    [
        ("user_profiles", "permission_level", "permission_level"),
        ("user_profiles", "response_mode", "response_mode"),
        ("quick_actions", "required_permission", "permission_level"),
        ("activity_logs", "status", "command_status"),
        ("system_events", "severity", "event_severity"),
        ("recent_activity", "status", "command_status"),
        ("user_statistics_summary", "permission_level", "permission_level"),
    ],
)
def test_column_has_the_seed_enum_type(table, column, type_name):
    row = sql_one(
        "SELECT udt_name FROM information_schema.columns WHERE table_name = %s AND column_name = %s", [table, column]
    )
    assert row["udt_name"] == type_name


def test_plain_sql_inserts_cast_to_the_seed_types():
    sql_one(
        "INSERT INTO user_profiles (name, permission_level, response_mode) "
        "VALUES ('Grandma', 'kid'::permission_level, 'voice_only'::response_mode) RETURNING id"
    )
    sql_one(
        "INSERT INTO quick_actions (id, display_name, command_sequence, required_permission) "
        "VALUES ('lights_off', 'Lights off', '{lights off}', 'admin'::permission_level) RETURNING id"
    )
    sql_one("INSERT INTO activity_logs (command_text, status) VALUES ('hi', 'timeout'::command_status) RETURNING id")
    sql_one(
        "INSERT INTO system_events (event_type, severity, message) "
        "VALUES ('boot', 'critical'::event_severity, 'x') RETURNING id"
    )
    grandma = UserProfile.objects.get(name="Grandma")
    assert (grandma.permission_level, grandma.response_mode) == ("kid", "voice_only")
    assert QuickAction.objects.get(pk="lights_off").required_permission == "admin"
    assert ActivityLog.objects.get(command_text="hi").status == "timeout"
    assert SystemEvent.objects.get(event_type="boot").severity == "critical"


def test_plain_sql_defaults_are_the_enum_defaults():
    sql_one("INSERT INTO user_profiles (name) VALUES ('Grandpa') RETURNING id")
    row = sql_one(
        "SELECT permission_level = 'user'::permission_level AS level, "
        "response_mode = 'both'::response_mode AS mode FROM user_profiles WHERE name = 'Grandpa'"
    )
    assert row == {"level": True, "mode": True}


def test_log_system_event_takes_an_event_severity():
    new_id = sql_one("SELECT log_system_event('boot', 'warning'::event_severity, 'server', 'Started') AS id")["id"]
    assert SystemEvent.objects.get(pk=new_id).severity == "warning"


def test_log_system_event_still_takes_text():
    new_id = sql_one("SELECT log_system_event('boot', %s::text, 'server', 'Started') AS id", ["error"])["id"]
    assert SystemEvent.objects.get(pk=new_id).severity == "error"


def test_log_system_event_from_python_reaches_the_enum_signature():
    new_id = log_system_event(event_type="boot", severity=EventSeverity.DEBUG, component="server", message="Started")
    assert SystemEvent.objects.get(pk=new_id).severity == "debug"


def test_severity_compares_in_the_seed_order():
    for severity in EventSeverity.values:
        SystemEventFactory(severity=severity, event_type=f"e_{severity}")
    rows = sql_rows("SELECT severity FROM system_events WHERE severity >= 'warning' ORDER BY severity")
    assert [row["severity"] for row in rows] == ["warning", "error", "critical"]


def test_orm_orders_and_filters_by_enum_order():
    for severity in ["critical", "debug", "warning"]:
        SystemEventFactory(severity=severity)
    ordered = list(SystemEvent.objects.order_by("severity").values_list("severity", flat=True))
    assert ordered == ["debug", "warning", "critical"]
    assert set(SystemEvent.objects.filter(severity__gte="warning").values_list("severity", flat=True)) == {
        "warning",
        "critical",
    }


def test_orm_and_raw_sql_filters_with_lists_of_values():
    ActivityLogFactory(status="failed")
    ActivityLogFactory(status="timeout")
    ActivityLogFactory(status="success")
    assert ActivityLog.objects.filter(status__in=CommandStatus.failures()).count() == 2
    assert ActivityLog.objects.filter(status__icontains="FAIL").count() == 1
    row = sql_one(
        "SELECT count(*) AS n FROM activity_logs WHERE status = ANY(%s::command_status[])", [["failed", "timeout"]]
    )
    assert row["n"] == 2


@pytest.mark.parametrize(
    ("statement", "value"),
    [
        ("INSERT INTO user_profiles (name, permission_level) VALUES ('Rex', %s)", "owner"),
        ("INSERT INTO user_profiles (name, response_mode) VALUES ('Rex', %s)", "shout"),
        (
            "INSERT INTO quick_actions (id, display_name, command_sequence, required_permission) "
            "VALUES ('x', 'X', '{a}', %s)",
            "root",
        ),
        ("INSERT INTO activity_logs (command_text, status) VALUES ('hi', %s)", "done"),
        ("INSERT INTO system_events (event_type, severity, message) VALUES ('x', %s, 'y')", "fatal"),
        ("SELECT log_system_event('x', %s, 'server', 'boom')", "fatal"),
    ],
)
def test_database_refuses_a_value_outside_the_enum(statement, value):
    with pytest.raises(DataError) as error, transaction.atomic():
        sql_rows(statement, [value])
    assert isinstance(error.value.__cause__, errors.InvalidTextRepresentation)


def test_orm_refuses_a_value_outside_the_enum():
    with pytest.raises(DataError), transaction.atomic():
        UserProfileFactory(permission_level="owner")
    with pytest.raises(DataError), transaction.atomic():
        QuickActionFactory(required_permission="root")


def test_views_report_the_enums():
    alex = UserProfileFactory(name="Alex", permission_level=PermissionLevel.KID)
    ActivityLogFactory(profile=alex, status="pending")
    ActivityLogFactory(profile=alex, status="failed")
    row = sql_one(
        "SELECT permission_level FROM user_statistics_summary WHERE permission_level = 'kid'::permission_level"
    )
    assert row["permission_level"] == "kid"
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM recent_activity WHERE status >= 'success'::command_status")
        assert cursor.fetchall() == [("failed",)]
