"""The reporting views of the schema contract and the updated_at trigger of usage_statistics.

user_statistics_summary reads usage_statistics (one row per profile and day,
kept exact by the application) instead of scanning activity_logs, so it stays
fast with millions of commands.
"""

from django.db import migrations

from tonnysite.sql import updated_at_trigger

RECENT_ACTIVITY = """
CREATE VIEW recent_activity AS
SELECT a.id, a.timestamp, p.name AS user_name, a.command_text, a.response_text,
       a.status, a.processing_time_ms, a.error_message
FROM activity_logs a
LEFT JOIN user_profiles p ON p.id = a.profile_id
WHERE a.timestamp > now() - interval '24 hours'
ORDER BY a.timestamp DESC;
"""

USER_STATISTICS_SUMMARY = """
CREATE VIEW user_statistics_summary AS
SELECT p.id, p.name, p.permission_level,
       count(s.id) FILTER (WHERE s.command_count > 0) AS active_days,
       coalesce(sum(s.command_count), 0)::bigint AS total_commands,
       round(sum(s.total_processing_time_ms)::numeric / nullif(sum(s.command_count), 0), 2)
           AS avg_processing_time_ms,
       round(100.0 * sum(s.success_count) / nullif(sum(s.command_count), 0), 2) AS success_rate,
       p.last_active_at AS last_command_at
FROM user_profiles p
LEFT JOIN usage_statistics s ON s.profile_id = p.id
GROUP BY p.id;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial"), ("profiles", "0002_updated_at_triggers")]

    operations = [
        migrations.RunSQL(RECENT_ACTIVITY, "DROP VIEW recent_activity;"),
        migrations.RunSQL(USER_STATISTICS_SUMMARY, "DROP VIEW user_statistics_summary;"),
        updated_at_trigger("usage_statistics"),
    ]
