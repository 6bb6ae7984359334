"""The seed's enum type event_severity replaces varchar with a CHECK on system_events.severity.

log_system_event() takes an event_severity, as in the seed, so
`log_system_event('x', 'info'::event_severity, ...)` works; a second signature taking
varchar keeps callers that pass text (a text variable, a text-typed parameter) working
and converts, refusing an unknown severity. A bare literal ('info') resolves to the
varchar one (PostgreSQL prefers the string category) and ends in the same insert.
The partial index of open errors is made again so its predicate compares enums.
"""

import django.db.models
from django.db import migrations

import tonnysite.modeling
from tonnysite.sql import enum_column_sql, enum_type

EVENT_SEVERITIES = ["debug", "info", "warning", "error", "critical"]

FUNCTION_WITH_ENUM = """
CREATE FUNCTION log_system_event(
    event_type varchar,
    severity event_severity,
    component varchar,
    message text,
    metadata jsonb DEFAULT '{}',
    profile_id uuid DEFAULT NULL
) RETURNS uuid LANGUAGE sql AS $$
    INSERT INTO system_events (event_type, severity, component, message, metadata, profile_id)
    VALUES ($1, $2, $3, $4, coalesce($5, '{}'::jsonb), $6)
    RETURNING id;
$$;
"""

FUNCTION_WITH_TEXT = """
CREATE FUNCTION log_system_event(
    event_type varchar,
    severity varchar,
    component varchar,
    message text,
    metadata jsonb DEFAULT '{}',
    profile_id uuid DEFAULT NULL
) RETURNS uuid LANGUAGE sql AS $$
    SELECT log_system_event($1, $2::event_severity, $3, $4, $5, $6);
$$;
"""

# The function of telemetry 0002, for going back.
FUNCTION_BEFORE = FUNCTION_WITH_ENUM.replace("severity event_severity", "severity varchar")

DROP_WITH_TEXT = "DROP FUNCTION log_system_event(varchar, varchar, varchar, text, jsonb, uuid);"
DROP_WITH_ENUM = "DROP FUNCTION log_system_event(varchar, event_severity, varchar, text, jsonb, uuid);"

FORWARD = "\n".join(
    [
        DROP_WITH_TEXT,
        enum_column_sql("system_events", "severity", type_name="event_severity", default="info"),
        FUNCTION_WITH_ENUM,
        FUNCTION_WITH_TEXT,
    ]
)
BACKWARD = "\n".join(
    [
        DROP_WITH_TEXT,
        DROP_WITH_ENUM,
        enum_column_sql("system_events", "severity", type_name="varchar(20)", default="info"),
        FUNCTION_BEFORE,
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("telemetry", "0003_admin_filter_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="systemevent", name="system_events_severity_valid"),
        migrations.RemoveIndex(model_name="systemevent", name="system_events_open_errors_idx"),
        enum_type("event_severity", EVENT_SEVERITIES),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.AlterField(
                    model_name="systemevent",
                    name="severity",
                    field=tonnysite.modeling.EnumField(
                        choices=[
                            ("debug", "Debug"),
                            ("info", "Info"),
                            ("warning", "Warning"),
                            ("error", "Error"),
                            ("critical", "Critical"),
                        ],
                        db_default="info",
                        default="info",
                        enum_type="event_severity",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="systemevent",
            index=django.db.models.Index(
                condition=django.db.models.Q(("resolved_at__isnull", True), ("severity__in", ["error", "critical"])),
                fields=["-timestamp"],
                name="system_events_open_errors_idx",
            ),
        ),
    ]
