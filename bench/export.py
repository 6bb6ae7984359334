"""Benchmark: activity.csv of about a million rows, beside PostgreSQL's own COPY of the same rows.

Usage (a scratch database whose name starts with "bench", migrated, with the activity of
`generate_activity`; this benchmark adds no rows and runs no migrations, it waits for them):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_policy .venv/bin/python bench/export.py

It picks the latest whole local days holding about --rows commands of the whole family, then,
in the same run and alternating, times:

* export: /admin/dashboard/activity.csv through Django's test client, signed in as a family
  admin made for the run (in a transaction rolled back at the end), consuming the streamed
  response chunk by chunk;
* COPY, psycopg: `COPY (SELECT …) TO STDOUT WITH (FORMAT csv, HEADER)` of the same rows (same
  WHERE and ORDER BY, the same columns unformatted: timestamp, profile id, raw text) read by
  psycopg on the same connection and thrown away;
* COPY, psql: the same statement run by psql into /dev/null (the C client: the upper bound), given
  on psql's standard input, so any number of members fits;
* COPY of the export's own SELECT (cells formatted in SQL, in the family's zone), read by psycopg
  outside Django: what the export's SQL costs is its ratio to the plain COPY, and what Django and
  the streaming cost is the export's ratio to it.

It prints the plan of the export's query, rows/s of each (best of --repeat), the export's ratio
to each COPY, and how much the process grew while streaming the export (largest resident set
seen between chunks, and ru_maxrss).
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.start import arguments_parser, django_start  # noqa: E402

django_start(debug_off=True)

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.measure import Stopwatch  # noqa: E402
from bench.scratch import (  # noqa: E402
    activity_rows_count,
    answered_200_require,
    rolled_back,
    scratch_database_require,
    server_version,
    signed_in,
)
from dashboard import exports  # noqa: E402
from dashboard.ranges import DayRange  # noqa: E402
from profiles.models import PermissionLevel  # noqa: E402
from profiles.services import family_member_create  # noqa: E402
from tonnysite.clock import family_zone  # noqa: E402

# The same rows as the export, unformatted: what PostgreSQL streams when it only has to copy.
PLAIN_COPY_SQL = """
COPY (
    SELECT a."timestamp", a.profile_id, a.command_text, a.status, a.processing_time_ms, a.whisper_time_ms,
           a.n8n_time_ms, a.tts_time_ms, a.transcription_confidence, a.metadata ->> 'device',
           a.metadata ->> 'error_type', a.error_message
    FROM activity_logs a
    WHERE a.profile_id = ANY({member_ids}::uuid[])
      AND a."timestamp" >= {start} AND a."timestamp" < {end}
    ORDER BY a."timestamp"
) TO STDOUT WITH (FORMAT csv, HEADER)
"""


def migrations_wait(limit_seconds: int) -> None:
    """Wait while another process migrates the database (never migrate it from here)."""
    deadline = time.monotonic() + limit_seconds
    while True:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if not pending:
            return
        if time.monotonic() > deadline:
            sys.exit(f"Still {len(pending)} migrations to apply (first {pending[0][0]}); run migrate first.")
        print(f"Waiting for {len(pending)} migrations ({pending[0][0]}) applied by another process...", flush=True)
        connection.close()
        time.sleep(15)


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def range_pick(target: int) -> tuple[DayRange, list, int]:
    """The latest whole local days whose commands (all members) add up to about `target`."""
    zone = family_zone()
    with connection.cursor() as cursor:
        # usage_statistics counts finished commands per member and day: a cheap guide, counted exactly below.
        cursor.execute("SELECT date, sum(command_count) FROM usage_statistics GROUP BY date ORDER BY date DESC")
        days = cursor.fetchall()
        cursor.execute("SELECT array_agg(id ORDER BY name) FROM user_profiles")
        member_ids = cursor.fetchone()[0]
    total, first = 0, None
    for day, count in days:
        if total >= target:
            break
        total += count
        first = day
    days_range = DayRange(first, days[0][0], "custom", zone)
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT count(*) FROM activity_logs WHERE profile_id = ANY(%s) AND "timestamp" >= %s AND "timestamp" < %s',
            [member_ids, days_range.start, days_range.end],
        )
        rows = cursor.fetchone()[0]
    return days_range, member_ids, rows


def plain_copy_sql(member_ids, days: DayRange) -> str:
    ids = "ARRAY[" + ", ".join(f"'{member_id}'" for member_id in member_ids) + "]"
    return PLAIN_COPY_SQL.format(
        member_ids=ids, start=f"'{days.start.isoformat()}'::timestamptz", end=f"'{days.end.isoformat()}'::timestamptz"
    )


def time_export(client: Client, days: DayRange) -> tuple[float, int, int, int]:
    """Seconds, lines, bytes and the largest RSS growth (bytes) of one export through the view."""
    rss_before = rss_peak = rss_bytes()
    lines = size = 0
    with Stopwatch() as watch:
        response = client.get(reverse("admin:dashboard_activity_csv"), {"from": days.first, "to": days.last})
        answered_200_require(response, f"activity.csv ({days.first} to {days.last})")
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
            rss_peak = max(rss_peak, rss_bytes())
    return watch.seconds, lines, size, rss_peak - rss_before


def time_copy_psycopg(statement: str) -> tuple[float, int]:
    size = 0
    with Stopwatch() as watch, connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            size += len(block)
    return watch.seconds, size


def time_copy_psql(statement: str) -> float:
    """Seconds of the statement run by psql into /dev/null.

    The statement goes in on psql's standard input, not with -c: its list of member ids grows with
    the family, and thousands of them overflow the kernel's limit on one command-line argument.
    """
    database = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": database["PASSWORD"] or ""}
    command = [
        "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", database["HOST"] or "localhost",
        "-p", str(database["PORT"] or 5432), "-U", database["USER"], "-d", database["NAME"],
    ]  # fmt: skip
    script = (statement.strip() + ";\n").encode()
    with Stopwatch() as watch, open(os.devnull, "wb") as sink:
        subprocess.run(command, input=script, stdout=sink, env=env, check=True)  # noqa: S603
    return watch.seconds


def time_copy_formatted(days: DayRange, member_ids: list) -> float:
    """Seconds of the export's own COPY statement read by psycopg, without Django's request and response."""
    statement = f"COPY ({exports.activity_rows_sql()}) TO STDOUT WITH (FORMAT csv, HEADER, ENCODING 'UTF8')"
    params = {"member_ids": member_ids, "start": days.start, "end": days.end}
    with Stopwatch() as watch:
        for _ in exports.activity_copy_chunks(statement, params, zone=days.zone):
            pass
    return watch.seconds


def main() -> None:
    parser = arguments_parser(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="About how many rows the export holds.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs of each (after one warm-up).")
    parser.add_argument("--wait", type=int, default=3600, help="Seconds to wait for pending migrations.")
    args = parser.parse_args()

    scratch_database_require()
    migrations_wait(args.wait)
    days, member_ids, rows = range_pick(args.rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN " + exports.activity_rows_sql(), {"member_ids": member_ids, "start": days.start, "end": days.end}
        )
        plan = [line for (line,) in cursor.fetchall()]
    print(f"activity_logs: {activity_rows_count():,} rows; {server_version()}; zone {days.zone.key}")
    print(f"range {days.first} to {days.last} ({(days.last - days.first).days + 1} days, {len(member_ids)} members):")
    print(f"  {rows:,} rows\nplan of the export's query:")
    print("\n".join("  " + line for line in plan))

    statement = plain_copy_sql(member_ids, days)
    with override_settings(ALLOWED_HOSTS=["testserver"]), rolled_back():
        family_member_create(
            name="Bench export admin", permission_level=PermissionLevel.ADMIN, username="bench_export_admin"
        )
        measure(args, signed_in("bench_export_admin"), days, member_ids, statement, rows)


def measure(args, client: Client, days: DayRange, member_ids: list, statement: str, rows: int) -> None:
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    # Warm-up (caches), not timed; the export first, so ru_maxrss says what the export needed.
    _, lines, size, growth = time_export(client, days)
    assert lines == rows + 1, (lines, rows)
    maxrss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - maxrss_before
    time_copy_psycopg(statement)
    time_copy_formatted(days, member_ids)
    export_times, psycopg_times, psql_times, formatted_times, growths = [], [], [], [], [growth]
    for _ in range(args.repeat):
        seconds, _, _, growth = time_export(client, days)
        export_times.append(seconds)
        growths.append(growth)
        psycopg_times.append(time_copy_psycopg(statement)[0])
        psql_times.append(time_copy_psql(statement))
        formatted_times.append(time_copy_formatted(days, member_ids))
    best = {
        "export": min(export_times),
        "COPY, psycopg": min(psycopg_times),
        "COPY, psql": min(psql_times),
        "export's SQL": min(formatted_times),
    }
    mb = 2**20
    print(f"\n{rows:,} rows, {size / mb:.0f} MB of CSV; best of {args.repeat} after a warm-up:")
    for name, seconds in best.items():
        print(f"  {name:<14} {seconds:6.2f} s  {rows / seconds:>10,.0f} rows/s")
    for name in ("COPY, psycopg", "COPY, psql", "export's SQL"):
        print(f"  export rows/s ÷ {name} rows/s: {best[name] / best['export']:.2f}")
    print(f"  export's SQL rows/s ÷ COPY, psycopg rows/s: {best['COPY, psycopg'] / best["export's SQL"]:.2f}")
    print(
        f"  every run, s: export {fmt(export_times)}; psycopg {fmt(psycopg_times)}; psql {fmt(psql_times)}; "
        f"export's SQL {fmt(formatted_times)}"
    )
    print(f"  process growth while streaming: at most {max(growths) / mb:.1f} MB resident between chunks, "
          f"ru_maxrss +{maxrss_growth / mb:.1f} MB")  # fmt: skip
    print(f"  load average {', '.join(f'{load:.2f}' for load in os.getloadavg())}")


def fmt(values) -> str:
    return " ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    main()
