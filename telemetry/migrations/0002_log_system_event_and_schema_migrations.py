"""log_system_event() for plain-SQL clients, schema_migrations for the seed's query,
and the updated_at trigger of settings."""

from django.db import migrations

from tonnysite.sql import updated_at_trigger

LOG_SYSTEM_EVENT = """
CREATE FUNCTION log_system_event(
    event_type varchar,
    severity varchar,
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

# Django records applied migrations in django_migrations; the seed's clients ask schema_migrations.
SCHEMA_MIGRATIONS = """
CREATE VIEW schema_migrations AS
SELECT app || '.' || name AS version, name, app, applied AS executed_at
FROM django_migrations;
"""


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0001_initial"), ("profiles", "0002_updated_at_triggers")]

    operations = [
        migrations.RunSQL(
            LOG_SYSTEM_EVENT, "DROP FUNCTION log_system_event(varchar, varchar, varchar, text, jsonb, uuid);"
        ),
        migrations.RunSQL(SCHEMA_MIGRATIONS, "DROP VIEW schema_migrations;"),
        updated_at_trigger("settings"),
    ]
