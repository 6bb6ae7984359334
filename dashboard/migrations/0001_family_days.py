"""The whole family's figures per local day (dashboard_family_days), kept exact by triggers on usage_statistics.

The whole-family dashboard sums usage_statistics over every member: at 4,445 members that is 400,000
rows (and their JSON maps) for 90 days. This table holds those sums, one row a day, so the page reads
at most a row a day of the range whatever the family's size.

Kept by statement-level triggers with transition tables, so every writer keeps it right: the one
statistics statement (activity.statistics_sql) through the signals, the bulk path and the rebuild,
a member's deletion (cascade), and plain SQL. Each statement adds what it inserted and subtracts
what it deleted (an update does both), summed by day in one set-based statement: the cost grows
with the statistics rows the statement touched, never with the family. A map's key whose count
comes to zero is dropped. TRUNCATE empties it. The table has no Django model: only these triggers
write it and only dashboard.selectors reads it (by SQL).

dashboard/tests/test_family_days.py checks it against a recomputation from usage_statistics after
writes of every kind.
"""

from django.db import migrations

# What a statement's rows add (sign 1) or take away (sign -1), summed by day; {changed} selects
# (sign, the usage_statistics columns) from the statement's transition tables.
APPLY = """
WITH changed AS ({changed}),
days AS (
    SELECT c.date,
           sum(c.sign)::int AS member_days,
           coalesce(sum(c.sign * c.command_count), 0) AS command_count,
           coalesce(sum(c.sign * c.success_count), 0) AS success_count,
           coalesce(sum(c.sign * (c.failure_count - c.timeout_count)), 0) AS failed_count,
           coalesce(sum(c.sign * c.timeout_count), 0) AS timeout_count,
           coalesce(sum(c.sign * c.total_duration_seconds::bigint), 0) AS duration_seconds,
           coalesce(sum(c.sign * c.average_confidence * c.command_count)
                    FILTER (WHERE c.average_confidence IS NOT NULL), 0) AS confidence_sum,
           coalesce(sum(c.sign * c.command_count) FILTER (WHERE c.average_confidence IS NOT NULL), 0)
               AS confidence_commands
    FROM changed c GROUP BY c.date
),
cells AS (
    SELECT c.date, 'hours' AS kind, h.i, coalesce(sum(c.sign * h.n), 0) AS n
    FROM changed c, unnest(c.hourly_counts) WITH ORDINALITY AS h(n, i) GROUP BY 1, 2, 3
    UNION ALL
    SELECT c.date, 'timings', t.i, coalesce(sum(c.sign * t.n), 0)
    FROM changed c, unnest(c.timing_histograms) WITH ORDINALITY AS t(n, i) GROUP BY 1, 2, 3
),
arrays AS (
    SELECT date, array_agg(n ORDER BY i) FILTER (WHERE kind = 'hours') AS hourly_counts,
           array_agg(n ORDER BY i) FILTER (WHERE kind = 'timings') AS timing_histograms
    FROM cells GROUP BY date
),
counts AS (
    SELECT c.date, e.kind, e.key, sum(c.sign * e.value::numeric) AS n
    FROM changed c CROSS JOIN LATERAL (
        SELECT 'command', key, value FROM jsonb_each(c.top_commands)
        UNION ALL SELECT 'error', key, value FROM jsonb_each(c.error_types)
        UNION ALL SELECT 'device', key, value FROM jsonb_each(c.device_breakdown)
        UNION ALL SELECT 'quick_action', key, value FROM jsonb_each(c.quick_action_counts)
    ) AS e(kind, key, value)
    WHERE jsonb_typeof(e.value) = 'number'
    GROUP BY 1, 2, 3 HAVING sum(c.sign * e.value::numeric) <> 0
),
maps AS (
    SELECT date,
           jsonb_object_agg(key, n) FILTER (WHERE kind = 'command') AS top_commands,
           jsonb_object_agg(key, n) FILTER (WHERE kind = 'error') AS error_types,
           jsonb_object_agg(key, n) FILTER (WHERE kind = 'device') AS device_breakdown,
           jsonb_object_agg(key, n) FILTER (WHERE kind = 'quick_action') AS quick_action_counts
    FROM counts GROUP BY date
)
INSERT INTO dashboard_family_days AS f (
    date, member_days, command_count, success_count, failed_count, timeout_count, duration_seconds,
    confidence_sum, confidence_commands, hourly_counts, timing_histograms,
    top_commands, error_types, device_breakdown, quick_action_counts
)
SELECT d.date, d.member_days, d.command_count, d.success_count, d.failed_count, d.timeout_count,
       d.duration_seconds, d.confidence_sum, d.confidence_commands,
       coalesce(a.hourly_counts, '{{}}'), coalesce(a.timing_histograms, '{{}}'),
       coalesce(m.top_commands, '{{}}'), coalesce(m.error_types, '{{}}'),
       coalesce(m.device_breakdown, '{{}}'), coalesce(m.quick_action_counts, '{{}}')
FROM days d LEFT JOIN arrays a USING (date) LEFT JOIN maps m USING (date)
ORDER BY d.date  -- rows locked in one order: two writers never wait for each other crosswise
ON CONFLICT (date) DO UPDATE SET
    member_days = f.member_days + excluded.member_days,
    command_count = f.command_count + excluded.command_count,
    success_count = f.success_count + excluded.success_count,
    failed_count = f.failed_count + excluded.failed_count,
    timeout_count = f.timeout_count + excluded.timeout_count,
    duration_seconds = f.duration_seconds + excluded.duration_seconds,
    confidence_sum = f.confidence_sum + excluded.confidence_sum,
    confidence_commands = f.confidence_commands + excluded.confidence_commands,
    hourly_counts = dashboard_cells_add(f.hourly_counts, excluded.hourly_counts),
    timing_histograms = dashboard_cells_add(f.timing_histograms, excluded.timing_histograms),
    top_commands = dashboard_counts_add(f.top_commands, excluded.top_commands),
    error_types = dashboard_counts_add(f.error_types, excluded.error_types),
    device_breakdown = dashboard_counts_add(f.device_breakdown, excluded.device_breakdown),
    quick_action_counts = dashboard_counts_add(f.quick_action_counts, excluded.quick_action_counts)
"""
COLUMNS = (
    "date, command_count, success_count, failure_count, timeout_count, total_duration_seconds, average_confidence, "
    "hourly_counts, timing_histograms, top_commands, error_types, device_breakdown, quick_action_counts"
)
CHANGED = {
    "insert": f"SELECT 1 AS sign, {COLUMNS} FROM new_rows",
    "delete": f"SELECT -1 AS sign, {COLUMNS} FROM old_rows",
    "update": f"SELECT 1 AS sign, {COLUMNS} FROM new_rows UNION ALL SELECT -1, {COLUMNS} FROM old_rows",
}
REFERENCING = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def _trigger(event: str) -> str:
    return f"""
CREATE FUNCTION dashboard_family_days_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {APPLY.format(changed=CHANGED[event])};
    RETURN NULL;
END $$;
CREATE TRIGGER usage_statistics_family_days_{event} AFTER {event.upper()} ON usage_statistics
    REFERENCING {REFERENCING[event]} FOR EACH STATEMENT EXECUTE FUNCTION dashboard_family_days_{event}();
"""


CREATE = (
    """
CREATE TABLE dashboard_family_days (
    date date PRIMARY KEY,
    member_days integer NOT NULL DEFAULT 0,
    command_count bigint NOT NULL DEFAULT 0,
    success_count bigint NOT NULL DEFAULT 0,
    failed_count bigint NOT NULL DEFAULT 0,
    timeout_count bigint NOT NULL DEFAULT 0,
    duration_seconds bigint NOT NULL DEFAULT 0,
    confidence_sum numeric NOT NULL DEFAULT 0,
    confidence_commands bigint NOT NULL DEFAULT 0,
    hourly_counts bigint[] NOT NULL DEFAULT '{}',
    timing_histograms bigint[] NOT NULL DEFAULT '{}',
    top_commands jsonb NOT NULL DEFAULT '{}',
    error_types jsonb NOT NULL DEFAULT '{}',
    device_breakdown jsonb NOT NULL DEFAULT '{}',
    quick_action_counts jsonb NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE dashboard_family_days IS
    'usage_statistics summed over every member, a row per local day; kept by the usage_statistics_family_days_* triggers';
COMMENT ON COLUMN dashboard_family_days.member_days IS 'usage_statistics rows of the day';
COMMENT ON COLUMN dashboard_family_days.failed_count IS 'failed commands that did not time out (failure_count - timeout_count)';
COMMENT ON COLUMN dashboard_family_days.confidence_sum IS 'sum of average_confidence * command_count where average_confidence is set';
COMMENT ON COLUMN dashboard_family_days.confidence_commands IS 'sum of command_count where average_confidence is set';
COMMENT ON COLUMN dashboard_family_days.hourly_counts IS 'commands per local hour (24 cells), summed';
COMMENT ON COLUMN dashboard_family_days.timing_histograms IS 'usage_statistics.timing_histograms flattened (4 x 20 cells), summed';

-- Cells added by position (an absent cell counts 0).
CREATE FUNCTION dashboard_cells_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(coalesce(a[i], 0) + coalesce(b[i], 0) ORDER BY i), '{}')
    FROM generate_series(1, greatest(cardinality(a), cardinality(b))) AS i
$$;
-- Two {name: count} maps added key by key; a count that comes to zero leaves the map.
CREATE FUNCTION dashboard_counts_add(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(key, n), '{}') FROM (
        SELECT key, sum(value::numeric) AS n
        FROM (SELECT * FROM jsonb_each(a) UNION ALL SELECT * FROM jsonb_each(b)) AS e
        GROUP BY key
    ) AS s WHERE n <> 0
$$;
"""
    + "".join(_trigger(event) for event in ("insert", "update", "delete"))
    + """
CREATE FUNCTION dashboard_family_days_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM dashboard_family_days;
    RETURN NULL;
END $$;
CREATE TRIGGER usage_statistics_family_days_truncate AFTER TRUNCATE ON usage_statistics
    FOR EACH STATEMENT EXECUTE FUNCTION dashboard_family_days_truncate();

-- The days there are already: every row of usage_statistics, inserted once.
"""
    + APPLY.format(changed=f"SELECT 1 AS sign, {COLUMNS} FROM usage_statistics")
    + ";"
)

DROP = """
DROP TRIGGER usage_statistics_family_days_insert ON usage_statistics;
DROP TRIGGER usage_statistics_family_days_update ON usage_statistics;
DROP TRIGGER usage_statistics_family_days_delete ON usage_statistics;
DROP TRIGGER usage_statistics_family_days_truncate ON usage_statistics;
DROP FUNCTION dashboard_family_days_insert(), dashboard_family_days_update(), dashboard_family_days_delete(),
    dashboard_family_days_truncate();
DROP FUNCTION dashboard_cells_add(bigint[], bigint[]), dashboard_counts_add(jsonb, jsonb);
DROP TABLE dashboard_family_days;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0013_field_names_in_words")]

    operations = [migrations.RunSQL(CREATE, DROP)]
