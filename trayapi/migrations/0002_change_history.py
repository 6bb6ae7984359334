"""Record changes of device tokens, requests to a parent and notifications in change_history.

The API writes these (a request, an acknowledged notification) and the admin answers them; the
history names the device or the login. Same trigger function and rules as history 0002.
"""

import importlib

from django.db import migrations

_triggers = importlib.import_module("history.migrations.0002_change_history_triggers")._triggers

# table: (events, pk, label SQL, member-id SQL, ignored, secret, sensitive flag, sensitive columns, member columns)
TRACKED = {
    # last_used_* move on every call: bookkeeping. The hash is a secret even hashed.
    "device_tokens": (
        "INSERT OR UPDATE OR DELETE", "id", "$1->>'name'", "NULL",
        ["created_at", "last_used_at", "last_used_from"], ["token_hash"], "", [], [],
    ),
    "parent_requests": (
        "INSERT OR UPDATE OR DELETE", "id",
        "(SELECT name FROM user_profiles WHERE id = ($1->>'profile_id')::uuid) || ': ' || coalesce($1->>'command', 'more time')",
        "$1->>'profile_id'", ["created_at", "command_key"], [], "", [], ["profile_id", "decided_by"],
    ),
    # Queued and sent by the system: what a person changes is the acknowledgement or a retry.
    "notification_queue": (
        "UPDATE", "id", "coalesce($1->>'title', $1->>'notification_type')", "$1->>'profile_id'",
        ["created_at"], [], "", [], ["profile_id"],
    ),
}  # fmt: skip

SQL = "\n".join(_triggers(table, *rules) for table, rules in TRACKED.items())
REVERSE = "\n".join(
    f"DROP TRIGGER IF EXISTS change_history_{table} ON {table}; "
    f"DROP TRIGGER IF EXISTS change_history_{table}_update ON {table};"
    for table in TRACKED
)


class Migration(migrations.Migration):
    dependencies = [
        ("trayapi", "0001_initial"),
        ("history", "0003_alter_change_table_name"),
        ("profiles", "0008_parent_requests"),
        ("telemetry", "0007_family_calendar_settings"),
    ]

    operations = [migrations.RunSQL(SQL, REVERSE)]
