"""session_idle_end: when an open session stops counting, because a tray that crashed or lost its
network never ends it.

An open session counts up to its last command (activity_logs whose metadata names it as
session_id) plus 15 minutes, or 15 minutes after its start when it has none; after that it is idle.
The policy (policy_sessions_used), the dashboard, ending a session without a time and the session
list all read the rule here, so it is written once:
    SELECT session_idle_end(id, started_at, now()) FROM sessions WHERE ended_at IS NULL;
"""

from django.db import migrations

IDLE = "15 minutes"  # activity.models.SESSION_IDLE

FUNCTION = f"""
CREATE OR REPLACE FUNCTION session_idle_end(p_session uuid, p_started_at timestamptz, p_moment timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT GREATEST(p_started_at, (
               SELECT max(a.timestamp) FROM activity_logs a
                WHERE a.metadata @> jsonb_build_object('session_id', p_session::text)
                  AND a.timestamp >= p_started_at AND a.timestamp <= p_moment
           )) + interval '{IDLE}'
$fn$;

COMMENT ON FUNCTION session_idle_end(uuid, timestamptz, timestamptz) IS
    'When an open session stops counting: its last command (metadata.session_id) up to the moment, or its start, plus {IDLE}.';
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0009_privacy_log_commands")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS session_idle_end(uuid, timestamptz, timestamptz);"),
    ]
