"""policy_sessions_used counts an open session only until it goes idle (activity's session_idle_end):
a session a crashed tray never ended cannot use up a member's day.

A session with an end counts from its start to its end (or to the moment asked about, when it
ended later: the member was using it then); an open one up to the moment or its idle end,
whichever comes first. `session_open` is true while a session runs at the moment and is not idle.
"""

from importlib import import_module

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
        SELECT s.id, s.started_at, s.ended_at FROM sessions s
         WHERE s.profile_id = p_profile
           AND s.started_at >= p_day_start - interval '1 day' AND s.started_at <= p_moment
           AND (s.ended_at IS NULL OR s.ended_at > p_day_start)
        UNION ALL
        SELECT s.id, s.started_at, s.ended_at FROM sessions s
         WHERE s.profile_id = p_profile AND s.ended_at IS NULL AND s.started_at < p_day_start - interval '1 day'
        UNION ALL
        SELECT s.id, s.started_at, s.ended_at FROM sessions s
         WHERE s.profile_id = p_profile AND s.duration_seconds >= 86400 AND s.ended_at > p_day_start
           AND s.started_at < p_day_start - interval '1 day'
    ), counted AS (
        SELECT d.started_at,
               CASE WHEN d.ended_at IS NOT NULL THEN LEAST(d.ended_at, p_moment)
                    ELSE LEAST(p_moment, session_idle_end(d.id, d.started_at, p_moment)) END AS counted_end,
               d.ended_at > p_moment AS ended_later
          FROM day_sessions d
    )
    SELECT COALESCE(SUM(GREATEST(0, EXTRACT(EPOCH FROM c.counted_end - GREATEST(c.started_at, p_day_start)))),
                    0)::double precision,
           COALESCE(bool_or(c.ended_later OR c.counted_end >= p_moment), false)
      FROM counted c;
END
$$;
"""

# Going back restores 0007's function as it was written there.
PREVIOUS = import_module("profiles.migrations.0007_policy_sessions_used").FUNCTION


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0008_parent_requests"),
        ("activity", "0010_session_idle_end"),
    ]

    operations = [migrations.RunSQL(FUNCTION, PREVIOUS)]
