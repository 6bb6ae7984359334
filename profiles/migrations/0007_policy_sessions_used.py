"""The function the policy decision reads a member's use of a day with: policy_sessions_used.

PL/pgSQL so its plan is cached per connection: the statement's three index ranges cost more
to plan than to run. The tray may call it too:
    SELECT * FROM policy_sessions_used(profile_id, day_start, moment);
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION policy_sessions_used(p_profile uuid, p_day_start timestamptz, p_moment timestamptz)
RETURNS TABLE (seconds double precision, session_open boolean)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- The sessions of the day in three disjoint index ranges: started from a day before
    -- day_start, older ones still open, older closed ones longer than a day.
    RETURN QUERY
    WITH day_sessions AS (
        SELECT s.started_at, s.ended_at FROM sessions s
         WHERE s.profile_id = p_profile
           AND s.started_at >= p_day_start - interval '1 day' AND s.started_at <= p_moment
           AND (s.ended_at IS NULL OR s.ended_at > p_day_start)
        UNION ALL
        SELECT s.started_at, s.ended_at FROM sessions s
         WHERE s.profile_id = p_profile AND s.ended_at IS NULL AND s.started_at < p_day_start - interval '1 day'
        UNION ALL
        SELECT s.started_at, s.ended_at FROM sessions s
         WHERE s.profile_id = p_profile AND s.duration_seconds >= 86400 AND s.ended_at > p_day_start
           AND s.started_at < p_day_start - interval '1 day'
    )
    SELECT COALESCE(SUM(EXTRACT(EPOCH FROM
               LEAST(COALESCE(d.ended_at, p_moment), p_moment) - GREATEST(d.started_at, p_day_start))), 0)::double precision,
           COALESCE(bool_or(d.ended_at IS NULL OR d.ended_at > p_moment), false)
      FROM day_sessions d;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0006_pin_hash_bcrypt_prefix"),
        ("activity", "0007_sessions_long_idx"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS policy_sessions_used(uuid, timestamptz, timestamptz);"),
    ]
