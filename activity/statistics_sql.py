"""The set-based SQL that brings usage_statistics, last_active_at and session counters to the truth.

Kept apart from services.py because it is long; the services are the only callers.
Every statement recomputes from the source rows (never increments), so running it
again, in any order, gives the same result. Each derived number has exactly one
statement, taking the set to recompute as a SELECT (`keys`, `profiles`, `sessions`):
the refresh after a write passes the touched ids, the rebuild a range, so the two
cannot disagree.
"""

from collections.abc import Iterable

from activity.models import CommandStatus


def status_literals(statuses: Iterable[str]) -> str:
    """Return `('a', 'b')`: CommandStatus values as quoted SQL literals (they need no cast to the enum)."""
    return "(" + ", ".join("'" + str(status).replace("'", "''") + "'" for status in statuses) + ")"


# The figures of a usage_statistics row that the statement below derives, in the table's order:
# counts and sums, then the JSON breakdowns (the admin's columns and the tests' oracle use them).
USAGE_STATISTIC_COUNTS = (
    "command_count", "success_count", "failure_count", "timeout_count", "total_duration_seconds",
    "total_processing_time_ms", "average_confidence", "unique_commands", "peak_usage_hour",
)  # fmt: skip
USAGE_STATISTIC_BREAKDOWNS = (
    "device_breakdown", "command_categories", "error_types", "hourly_counts", "timings", "timing_histograms",
    "top_commands", "quick_action_counts",
)  # fmt: skip
# The timing histograms' buckets by lower edge in ms: bucket n holds the values from edge n up to
# the next (the last one, everything above). timing_histograms[c][n] counts component c's values
# (1 processing, 2 whisper, 3 n8n, 4 tts) in bucket n; sums of them give percentiles of a range or
# of the family to a bucket's width, while a member's day also has its exact p50 and p95.
TIMING_BUCKET_EDGES_MS = (
    0, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000,
)  # fmt: skip
TIMING_COMPONENTS = ("processing", "whisper", "n8n", "tts")
TOP_COMMANDS = 20  # a day keeps its 20 most said commands (ties by text)

# The first local day whose statistics may still change: the retention purge sets it (a date
# 'YYYY-MM-DD' in the setting privacy.purged_before); a value that is not a date counts as none.
PURGED_BEFORE = """coalesce((
    SELECT (value #>> '{}')::date FROM settings
    WHERE key = 'privacy.purged_before' AND value #>> '{}' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
), '-infinity'::date)"""


# Literals the statements are formatted with. The status sets come from CommandStatus, the single
# source of which statuses finish or fail a command; literals rather than parameters, so the
# planner can match the partial status indexes.
def _hourly_counts() -> str:
    """ARRAY[count of hour 0, ..., of hour 23]::int[] over a day's finished commands."""
    return "ARRAY[" + ", ".join(f"count(*) FILTER (WHERE hour = {hour})" for hour in range(24)) + "]::int[]"


def _timing_histograms() -> str:
    """ARRAY[[count of bucket 1..n of processing], [of whisper], [of n8n], [of tts]]::int[] (TIMING_COMPONENTS)."""
    buckets = range(1, len(TIMING_BUCKET_EDGES_MS) + 1)
    rows = (
        "ARRAY[" + ", ".join(f"count(*) FILTER (WHERE {component}_bucket = {n})" for n in buckets) + "]"
        for component in TIMING_COMPONENTS
    )
    return "ARRAY[" + ", ".join(rows) + "]::int[]"


def _timings() -> str:
    """{component: {count, sum, p50, p95}} of the timings a day has (exact percentile_disc), as JSON."""
    parts = []
    for component in TIMING_COMPONENTS:
        ms = f"{component}_time_ms"
        percentiles = f"(percentile_disc(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY {ms}))"
        parts.append(
            f"'{component}', CASE WHEN count({ms}) > 0 THEN jsonb_build_object("
            f"'count', count({ms}), 'sum', sum({ms}), 'p50', {percentiles}[1], 'p95', {percentiles}[2]) END"
        )
    return "jsonb_strip_nulls(jsonb_build_object(" + ", ".join(parts) + "))"


LITERALS = {
    "hourly_counts": _hourly_counts(),
    "timing_histograms": _timing_histograms(),
    "timings": _timings(),
    "edges": "ARRAY[" + ", ".join(str(edge) for edge in TIMING_BUCKET_EDGES_MS) + "]",
    "top_commands": str(TOP_COMMANDS),
    "buckets": str(len(TIMING_BUCKET_EDGES_MS)),
    "finished": status_literals(CommandStatus.finished()),
    "failures": status_literals(CommandStatus.failures()),
    "success": status_literals([CommandStatus.SUCCESS]),
    "timeout": status_literals([CommandStatus.TIMEOUT]),
    "purged_before": PURGED_BEFORE,
}

# Which (profile, local day) pairs to recompute: %(profile_ids)s and %(days)s are parallel arrays.
KEYS_FROM_ARRAYS = """
    SELECT DISTINCT k.profile_id, k.day
    FROM unnest(%(profile_ids)s::uuid[], %(days)s::date[]) AS k(profile_id, day)
    JOIN user_profiles p ON p.id = k.profile_id
"""

# The local range %(since)s..%(until)s as moments, and the sessions that reach into it: those begun from a
# day before it (every session shorter than a day that does), plus the rare ones of a day or more begun
# earlier (sessions_long_idx), so the read does not grow with the history before the range.
RANGE_START = "(%(since)s::date::timestamp AT TIME ZONE %(tz)s)"
RANGE_END = "((%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s)"
SESSIONS_OVER_RANGE = f"""
        SELECT profile_id, started_at, ended_at FROM sessions s
        WHERE s.ended_at IS NOT NULL AND s.profile_id IS NOT NULL AND s.ended_at > {RANGE_START}
          AND s.started_at >= {RANGE_START} - interval '1 day' AND s.started_at < {RANGE_END}
          {{session_profile_filter}}
        UNION ALL
        SELECT profile_id, started_at, ended_at FROM sessions s
        WHERE s.duration_seconds >= 86400 AND s.profile_id IS NOT NULL AND s.ended_at > {RANGE_START}
          AND s.started_at < {RANGE_START} - interval '1 day' {{session_profile_filter}}
"""

# Every pair with a source row or a statistics row between %(since)s and %(until)s (local days).
KEYS_FROM_RANGE = """
    SELECT profile_id, (timestamp AT TIME ZONE %(tz)s)::date AS day
    FROM activity_logs
    WHERE timestamp >= (%(since)s::date::timestamp AT TIME ZONE %(tz)s)
      AND timestamp < ((%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
      AND profile_id IS NOT NULL AND status IN {finished} {profile_filter}
    UNION
    SELECT s.profile_id, d::date
    FROM ({sessions_over_range}) AS s,
         generate_series((s.started_at AT TIME ZONE %(tz)s)::date, (s.ended_at AT TIME ZONE %(tz)s)::date,
                         interval '1 day') AS d
    WHERE d::date BETWEEN %(since)s AND %(until)s  -- a long session's other days are other ranges' keys
    UNION
    SELECT profile_id, date FROM usage_statistics
    WHERE date BETWEEN %(since)s AND %(until)s {profile_filter}
"""

# Serialise refreshes per profile so that two writers never compute from stale snapshots:
# the lock is taken in its own statement, so the refresh that follows (READ COMMITTED)
# sees every command committed by the writer it waited for.
LOCK_PROFILES = """
    SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true),
           pg_advisory_xact_lock(7411, hashtext(pid::text))
    FROM (SELECT DISTINCT pid FROM unnest(%(profile_ids)s::uuid[]) AS pid ORDER BY pid) AS ordered
"""


def breakdown_cte(name: str, *, rows: str, key: str, where: str, column: str) -> str:
    """The CTE `name`: per (profile, day), a JSON object `column` that counts the `rows` by `key`.

    Only rows where `where` holds count. The refresh's four JSON breakdowns (devices, error
    types, command categories, quick actions) all have this one shape.
    """
    return f"""{name} AS (
    SELECT profile_id, day, jsonb_object_agg({key}, n) AS {column}
    FROM (SELECT profile_id, day, {key}, count(*) AS n
          FROM {rows} WHERE {where} GROUP BY 1, 2, 3) AS by_{key}
    GROUP BY 1, 2
)"""


# The breakdowns REFRESH_DAYS counts, by name: the rows they count (`finished` activity or
# `history`, command history), the key, which rows have one, and the usage_statistics column.
BREAKDOWNS = {
    name: breakdown_cte(name, rows=rows, key=key, where=where, column=column)
    for name, rows, key, where, column in (
        ("devices", "finished", "device", "device IS NOT NULL", "device_breakdown"),
        ("errors", "finished", "error_type", "error_type IS NOT NULL", "error_types"),
        ("categories", "history", "command_category", "command_category <> ''", "command_categories"),
        ("quick_actions", "history", "quick_action_id", "quick_action_id IS NOT NULL", "quick_action_counts"),
    )
}


# Where REFRESH_DAYS reads a day's rows: {finished_rows}, {history_rows} and {session_rows} each give
# rows `a`, `ch` and `s` next to the day's `b` (bounds). Two forms of the same rows:
#
# ROWS_BY_DAY, after a write (a few days): one index range scan per (member, day), never a scan of
# the whole table. Each range is a row comparison on (member, time), which only the member's index
# can serve: with `profile_id = ... AND timestamp ...` the planner took the time index, whose rows lie
# in time order on disk, and read the whole family's day to keep one member's (12 times the work in
# a family of 12). Sessions are two disjoint ranges, so a day reads only its own whatever the
# member's history: those begun from a day before it (every session shorter than a day that reaches
# into it), and the rare ones of a day or more begun earlier (sessions_long_idx).
ROWS_BY_DAY = {
    "finished_rows": """    FROM bounds b
    CROSS JOIN LATERAL (
        SELECT * FROM activity_logs a
        WHERE (a.profile_id, a.timestamp) >= (b.profile_id, b.day_start)
          AND (a.profile_id, a.timestamp) < (b.profile_id, b.day_end)
          AND a.status IN {finished}
        OFFSET 0  -- keep the planner from flattening this into a hash join over the whole table
    ) AS a""",
    "history_rows": """    FROM bounds b
    CROSS JOIN LATERAL (
        SELECT command_category, quick_action_id FROM command_history ch
        WHERE (ch.profile_id, ch.timestamp) >= (b.profile_id, b.day_start)
          AND (ch.profile_id, ch.timestamp) < (b.profile_id, b.day_end)
          AND (ch.command_category <> '' OR ch.quick_action_id IS NOT NULL)
        OFFSET 0
    ) AS ch""",
    "session_rows": """    FROM bounds b
    CROSS JOIN LATERAL (
        SELECT started_at, ended_at FROM sessions s
        WHERE (s.profile_id, s.started_at) >= (b.profile_id, b.day_start - interval '1 day')
          AND (s.profile_id, s.started_at) < (b.profile_id, b.day_end)
          AND s.ended_at IS NOT NULL AND s.ended_at > b.day_start
        UNION ALL
        SELECT started_at, ended_at FROM sessions s
        WHERE s.profile_id = b.profile_id AND s.duration_seconds >= 86400
          AND s.started_at < b.day_start - interval '1 day' AND s.ended_at > b.day_start
        OFFSET 0
    ) AS s""",
}

# ROWS_BY_RANGE, the rebuild of %(since)s..%(until)s for every member (keys from KEYS_FROM_RANGE,
# all inside the range): one pass over the range's rows in time order, matched to their day by a
# hash join, so the cost is linear in rows however many members and days there are (the per-day
# form costs a few index descents per member-day: 4,445 members over 90 days took 40 minutes).
ROWS_BY_RANGE = {
    "finished_rows": f"""    FROM (
        SELECT a.*, (a.timestamp AT TIME ZONE %(tz)s)::date AS local_day FROM activity_logs a
        WHERE a.timestamp >= {RANGE_START} AND a.timestamp < {RANGE_END}
          AND a.status IN {{finished}} AND a.profile_id IS NOT NULL
    ) AS a
    JOIN bounds b ON b.profile_id = a.profile_id AND b.day = a.local_day""",
    "history_rows": f"""    FROM (
        SELECT ch.profile_id, ch.command_category, ch.quick_action_id,
               (ch.timestamp AT TIME ZONE %(tz)s)::date AS local_day
        FROM command_history ch
        WHERE ch.timestamp >= {RANGE_START} AND ch.timestamp < {RANGE_END}
          AND (ch.command_category <> '' OR ch.quick_action_id IS NOT NULL)
    ) AS ch
    JOIN bounds b ON b.profile_id = ch.profile_id AND b.day = ch.local_day""",
    "session_rows": f"""    FROM ({SESSIONS_OVER_RANGE.format(session_profile_filter="")}) AS s
    CROSS JOIN LATERAL generate_series((s.started_at AT TIME ZONE %(tz)s)::date,
                                       (s.ended_at AT TIME ZONE %(tz)s)::date, interval '1 day') AS g(day)
    JOIN bounds b ON b.profile_id = s.profile_id AND b.day = g.day::date
        AND s.started_at < b.day_end AND s.ended_at > b.day_start""",
}

REFRESH_DAYS = """
WITH keys AS (
    -- Days before the retention horizon were purged (operations.retention): their rows stay as they were.
    SELECT candidate.profile_id, candidate.day FROM ({keys}) AS candidate
    WHERE candidate.day >= {purged_before}
),
bounds AS (
    SELECT profile_id, day,
           (day::timestamp AT TIME ZONE %(tz)s) AS day_start,
           ((day + 1)::timestamp AT TIME ZONE %(tz)s) AS day_end
    FROM keys
),
finished AS (
    -- The day's finished commands, read as ROWS_BY_DAY or ROWS_BY_RANGE says.
    SELECT b.profile_id, b.day, a.status, a.processing_time_ms, a.transcription_confidence,
           a.whisper_time_ms, a.n8n_time_ms, a.tts_time_ms,
           lower(btrim(a.command_text)) AS command_key,
           nullif(a.metadata->>'device', '') AS device,
           CASE WHEN a.status IN {failures} THEN
               coalesce(nullif(a.metadata->>'error_type', ''),
                        CASE WHEN a.status IN {timeout} THEN 'timeout' END,
                        nullif(left(btrim(split_part(a.error_message, ':', 1)), 100), ''),
                        'unknown')
           END AS error_type,
           extract(hour FROM a.timestamp AT TIME ZONE %(tz)s)::int AS hour,
           width_bucket(a.processing_time_ms, {edges}) AS processing_bucket,
           width_bucket(a.whisper_time_ms, {edges}) AS whisper_bucket,
           width_bucket(a.n8n_time_ms, {edges}) AS n8n_bucket,
           width_bucket(a.tts_time_ms, {edges}) AS tts_bucket
{finished_rows}
),
per_day AS (
    -- One pass over a day's commands for its counts, its hours, and each timing's exact p50/p95 (one sort
    -- per timing: identical aggregates are computed once) and histogram (counts per bucket).
    SELECT profile_id, day,
           count(*) AS command_count,
           count(*) FILTER (WHERE status IN {success}) AS success_count,
           count(*) FILTER (WHERE status IN {failures}) AS failure_count,
           count(*) FILTER (WHERE status IN {timeout}) AS timeout_count,
           coalesce(sum(processing_time_ms), 0) AS total_processing_time_ms,
           round(avg(transcription_confidence), 2) AS average_confidence,
           {hourly_counts} AS hourly_counts,
           {timing_histograms} AS timing_histograms,
           {timings} AS timings
    FROM finished GROUP BY profile_id, day
),
by_command AS (
    SELECT profile_id, day, command_key, count(*) AS n FROM finished GROUP BY 1, 2, 3
),
top AS (
    SELECT profile_id, day, count(command_key) AS unique_commands,
           jsonb_object_agg(command_key, n) FILTER (WHERE rank <= {top_commands}) AS top_commands
    FROM (SELECT profile_id, day, command_key, n,
                 row_number() OVER (PARTITION BY profile_id, day ORDER BY n DESC, command_key) AS rank
          FROM by_command) AS ranked
    GROUP BY 1, 2
),
{devices},
{errors},
history AS (
    SELECT b.profile_id, b.day, ch.command_category, ch.quick_action_id
{history_rows}
),
{categories},
{quick_actions},
durations AS (
    SELECT b.profile_id, b.day,
           floor(sum(extract(epoch FROM least(s.ended_at, b.day_end) - greatest(s.started_at, b.day_start))))::int
               AS total_duration_seconds
{session_rows}
    GROUP BY 1, 2
),
truth AS (
    SELECT k.profile_id, k.day,
           coalesce(c.command_count, 0) AS command_count,
           coalesce(c.success_count, 0) AS success_count,
           coalesce(c.failure_count, 0) AS failure_count,
           coalesce(c.timeout_count, 0) AS timeout_count,
           coalesce(d.total_duration_seconds, 0) AS total_duration_seconds,
           coalesce(c.total_processing_time_ms, 0) AS total_processing_time_ms,
           c.average_confidence,
           coalesce(tp.unique_commands, 0) AS unique_commands,
           -- The busiest local hour, the earliest of a tie; none on a day without commands.
           (SELECT h.hour - 1 FROM unnest(c.hourly_counts) WITH ORDINALITY AS h(n, hour)
            ORDER BY h.n DESC, h.hour LIMIT 1) AS peak_usage_hour,
           coalesce(v.device_breakdown, '{{}}'::jsonb) AS device_breakdown,
           coalesce(g.command_categories, '{{}}'::jsonb) AS command_categories,
           coalesce(e.error_types, '{{}}'::jsonb) AS error_types,
           coalesce(c.hourly_counts, array_fill(0, ARRAY[24])) AS hourly_counts,
           coalesce(c.timings, '{{}}'::jsonb) AS timings,
           coalesce(c.timing_histograms, array_fill(0, ARRAY[4, {buckets}])) AS timing_histograms,
           coalesce(tp.top_commands, '{{}}'::jsonb) AS top_commands,
           coalesce(q.quick_action_counts, '{{}}'::jsonb) AS quick_action_counts
    FROM keys k
    LEFT JOIN per_day c USING (profile_id, day)
    LEFT JOIN devices v USING (profile_id, day)
    LEFT JOIN categories g USING (profile_id, day)
    LEFT JOIN errors e USING (profile_id, day)
    LEFT JOIN durations d USING (profile_id, day)
    LEFT JOIN top tp USING (profile_id, day)
    LEFT JOIN quick_actions q USING (profile_id, day)
),
deleted AS (
    DELETE FROM usage_statistics u
    USING truth t
    WHERE u.profile_id = t.profile_id AND u.date = t.day
      AND t.command_count = 0 AND t.total_duration_seconds = 0
    RETURNING 1
),
upserted AS (
    INSERT INTO usage_statistics AS u (
        profile_id, date, command_count, success_count, failure_count, timeout_count, total_duration_seconds,
        total_processing_time_ms, average_confidence, unique_commands, peak_usage_hour, device_breakdown,
        command_categories, error_types, hourly_counts, timings, timing_histograms, top_commands,
        quick_action_counts)
    SELECT profile_id, day, command_count, success_count, failure_count, timeout_count, total_duration_seconds,
           total_processing_time_ms, average_confidence, unique_commands, peak_usage_hour, device_breakdown,
           command_categories, error_types, hourly_counts, timings, timing_histograms, top_commands,
           quick_action_counts
    FROM truth
    WHERE command_count > 0 OR total_duration_seconds > 0
    ON CONFLICT (profile_id, date) DO UPDATE SET
        command_count = EXCLUDED.command_count,
        success_count = EXCLUDED.success_count,
        failure_count = EXCLUDED.failure_count,
        timeout_count = EXCLUDED.timeout_count,
        total_duration_seconds = EXCLUDED.total_duration_seconds,
        total_processing_time_ms = EXCLUDED.total_processing_time_ms,
        average_confidence = EXCLUDED.average_confidence,
        unique_commands = EXCLUDED.unique_commands,
        peak_usage_hour = EXCLUDED.peak_usage_hour,
        device_breakdown = EXCLUDED.device_breakdown,
        command_categories = EXCLUDED.command_categories,
        error_types = EXCLUDED.error_types,
        hourly_counts = EXCLUDED.hourly_counts,
        timings = EXCLUDED.timings,
        timing_histograms = EXCLUDED.timing_histograms,
        top_commands = EXCLUDED.top_commands,
        quick_action_counts = EXCLUDED.quick_action_counts
    WHERE (u.command_count, u.success_count, u.failure_count, u.timeout_count, u.total_duration_seconds,
           u.total_processing_time_ms, u.average_confidence, u.unique_commands, u.peak_usage_hour,
           u.device_breakdown, u.command_categories, u.error_types, u.hourly_counts, u.timings,
           u.timing_histograms, u.top_commands, u.quick_action_counts)
       IS DISTINCT FROM
          (EXCLUDED.command_count, EXCLUDED.success_count, EXCLUDED.failure_count, EXCLUDED.timeout_count,
           EXCLUDED.total_duration_seconds, EXCLUDED.total_processing_time_ms, EXCLUDED.average_confidence,
           EXCLUDED.unique_commands, EXCLUDED.peak_usage_hour, EXCLUDED.device_breakdown,
           EXCLUDED.command_categories, EXCLUDED.error_types, EXCLUDED.hourly_counts, EXCLUDED.timings,
           EXCLUDED.timing_histograms, EXCLUDED.top_commands, EXCLUDED.quick_action_counts)
    RETURNING (xmax = 0) AS inserted
)
SELECT (SELECT count(*) FROM upserted WHERE inserted) AS inserted,
       (SELECT count(*) FROM upserted WHERE NOT inserted) AS updated,
       (SELECT count(*) FROM deleted) AS deleted
"""

# Which profiles and sessions to recompute after a write: the touched ids.
PROFILES_FROM_ARRAY = "SELECT unnest(%(profile_ids)s::uuid[])"
SESSIONS_FROM_ARRAY = "SELECT unnest(%(session_ids)s::uuid[])"

# Which to recompute in a rebuild: every profile in scope, whatever days it had...
PROFILES_IN_SCOPE = "SELECT id FROM user_profiles WHERE true {profile_filter}"
# ...and the sessions that overlap the range.
SESSIONS_IN_RANGE = """
    SELECT id FROM sessions
    WHERE started_at < ((%(until)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
      AND (ended_at IS NULL OR ended_at >= (%(since)s::date::timestamp AT TIME ZONE %(tz)s)) {profile_filter}
"""

LAST_ACTIVE = """
UPDATE user_profiles p
SET last_active_at = latest.at
FROM (SELECT scope.pid,
             (SELECT max(a.timestamp) FROM activity_logs a
              WHERE a.profile_id = scope.pid AND a.status IN {finished}) AS at
      FROM ({profiles}) AS scope(pid)) AS latest
WHERE p.id = latest.pid AND p.last_active_at IS DISTINCT FROM latest.at
"""

# The two join conditions say the same thing (a session id is text in metadata); both are there
# so the planner has both ways in: `@>` reads a few sessions' rows through the GIN index on
# metadata, `=` lets a rebuild of many sessions hash-join in one pass over activity_logs.
SESSION_COUNTERS = """
UPDATE sessions s
SET command_count = counted.commands, error_count = counted.errors
FROM (SELECT scope.sid,
             count(a.id) AS commands,
             count(a.id) FILTER (WHERE a.status IN {failures}) AS errors
      FROM ({sessions}) AS scope(sid)
      LEFT JOIN activity_logs a
        ON a.metadata @> jsonb_build_object('session_id', scope.sid::text)
       AND a.metadata->>'session_id' = scope.sid::text
      GROUP BY scope.sid) AS counted
WHERE s.id = counted.sid
  AND (s.command_count, s.error_count) IS DISTINCT FROM (counted.commands, counted.errors)
"""


def refresh_days_sql(keys: str, *, by_range: bool = False) -> str:
    """The statement for usage_statistics of the (profile_id, day) pairs that `keys` yields.

    `by_range`: read the rows of the whole range %(since)s..%(until)s in one pass (ROWS_BY_RANGE), for a
    rebuild whose keys are every member's days in that range; otherwise day by day (ROWS_BY_DAY).
    """
    sources = ROWS_BY_RANGE if by_range else ROWS_BY_DAY
    rows = {name: text.format(**LITERALS) for name, text in sources.items()}
    return REFRESH_DAYS.format(keys=keys, **LITERALS, **BREAKDOWNS, **rows)


def last_active_sql(profiles: str) -> str:
    """The statement for last_active_at of the profiles that `profiles` (a SELECT of ids) yields."""
    return LAST_ACTIVE.format(profiles=profiles, **LITERALS)


def session_counters_sql(sessions: str) -> str:
    """The statement for the counters of the sessions that `sessions` (a SELECT of ids) yields."""
    return SESSION_COUNTERS.format(sessions=sessions, **LITERALS)


def keys_from_range_sql(*, with_profiles: bool) -> str:
    profile_filter = "AND profile_id = ANY(%(profile_ids)s::uuid[])" if with_profiles else ""
    session_filter = "AND s.profile_id = ANY(%(profile_ids)s::uuid[])" if with_profiles else ""
    sessions = SESSIONS_OVER_RANGE.format(session_profile_filter=session_filter)
    return KEYS_FROM_RANGE.format(profile_filter=profile_filter, sessions_over_range=sessions, **LITERALS)


def profiles_in_scope_sql(*, with_profiles: bool) -> str:
    return PROFILES_IN_SCOPE.format(profile_filter="AND id = ANY(%(profile_ids)s::uuid[])" if with_profiles else "")


def sessions_in_range_sql(*, with_profiles: bool) -> str:
    return SESSIONS_IN_RANGE.format(
        profile_filter="AND profile_id = ANY(%(profile_ids)s::uuid[])" if with_profiles else ""
    )
