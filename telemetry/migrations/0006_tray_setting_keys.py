"""Rename settings to the keys the tray reads.

Older sample data wrote elevenlabs.default_voice, privacy.logging_enabled and
privacy.retention_days; the tray reads elevenlabs.default_voice_id, privacy.log_commands and
privacy.log_retention_days. A row is renamed only when no row has the new key yet, so a value
the tray already wrote is never replaced (the old row then stays, unread).
"""

from django.db import migrations

RENAMES = [
    ("elevenlabs.default_voice", "elevenlabs.default_voice_id"),
    ("privacy.logging_enabled", "privacy.log_commands"),
    ("privacy.retention_days", "privacy.log_retention_days"),
]


def rename_sql(pairs: list[tuple[str, str]]) -> str:
    values = ", ".join(f"('{old}', '{new}')" for old, new in pairs)
    return f"""
        UPDATE settings s SET key = r.new
        FROM (VALUES {values}) AS r(old, new)
        WHERE s.key = r.old AND NOT EXISTS (SELECT 1 FROM settings t WHERE t.key = r.new);
    """


class Migration(migrations.Migration):
    dependencies = [
        ("telemetry", "0005_max_retries_bound"),
    ]

    operations = [
        migrations.RunSQL(rename_sql(RENAMES), rename_sql([(new, old) for old, new in RENAMES])),
    ]
