"""Add the thresholds of the alerts (operations.alerts) as settings, with the seed's numbers.

A row is added only when the key is missing, so a value the family already set is kept.
Going back leaves the rows: they hold the family's choices.
"""

import json

from django.db import migrations


def whole_number(minimum: int, maximum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


KEYS = [
    ("alerts.failed_sign_ins", 5, "Failed sign-ins within alerts.failed_sign_ins_minutes that alert the family "
     "admins", whole_number(1, 10_000)),
    ("alerts.failed_sign_ins_minutes", 10, "The minutes alerts.failed_sign_ins counts over",
     whole_number(1, 1440)),
    ("alerts.slow_query_ms", 1000, "A query slower than this on average (milliseconds) alerts the family admins; "
     "measured only where pg_stat_statements is installed", whole_number(1, 3_600_000)),
    ("alerts.disk_percent", 80, "A disk (the database's or the backups') fuller than this percentage alerts the "
     "family admins", whole_number(0, 100)),
    ("alerts.connections_percent", 80, "Database connections in use above this percentage of the server's limit "
     "alert the family admins", whole_number(0, 100)),
]  # fmt: skip


def insert_sql() -> str:
    rows = ", ".join(
        "('{}', '{}'::jsonb, 'alerts', '{}', '{}'::jsonb, '{}'::jsonb)".format(
            key, json.dumps(value), description.replace("'", "''"), json.dumps(value), json.dumps(schema)
        )
        for key, value, description, schema in KEYS
    )
    return (
        "INSERT INTO settings (key, value, category, description, default_value, validation_schema) "
        f"VALUES {rows} ON CONFLICT (key) DO NOTHING;"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("telemetry", "0008_alter_notification_profile_alter_systemevent_profile"),
    ]

    operations = [
        migrations.RunSQL(insert_sql(), migrations.RunSQL.noop),
    ]
