"""Benchmark: generate_activity (COPY load, index rebuild, statistics) on a scratch database.

Usage (it adds rows; use a database you can throw away, migrated first):
    createdb -h 127.0.0.1 -U postgres bench_samples
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_samples .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_samples \\
        .venv/bin/python bench/generate_activity.py --rows 1000000

Prints the command's own progress, then one summary line per phase with rows per
second, the server version, the machine's cores and its load average before and
after (other work on the machine shows up there). `manage.py generate_activity`
prints the same phase figures; this script adds the context a report needs.
"""

import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.start import arguments_parser, django_start  # noqa: E402

django_start()

from django.db import connection  # noqa: E402

from bench.measure import Stopwatch  # noqa: E402
from household.generator import activity_generate  # noqa: E402


def main() -> None:
    parser = arguments_parser(__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--profiles", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--indexes", choices=["auto", "rebuild", "keep"], default="auto")
    args = parser.parse_args()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('server_version'), current_database(), (SELECT count(*) FROM activity_logs)"
        )
        version, database, existing = cursor.fetchone()
    connection.close()
    load_before = os.getloadavg()
    print(
        f"PostgreSQL {version}, database {database} ({existing:,} activity rows before), "
        f"{os.cpu_count()} cores, load average {load_before[0]:.2f}"
    )
    with Stopwatch() as watch:
        report = activity_generate(
            rows=args.rows, days=args.days, profiles=args.profiles, seed=args.seed, indexes=args.indexes, progress=print
        )
    wall = watch.seconds
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print()
    print(f"rows                 {report.rows:>12,} activity + {report.history_rows:,} command history")
    print(f"                     {report.sessions:>12,} sessions + {report.events:,} system events")
    print(f"members, days        {report.profiles:>12,} {report.days}")
    print(f"load (COPY)          {report.load_seconds:>10.1f} s  {report.load_rows_per_second:>10,.0f} activity rows/s")
    print(f"index rebuild        {report.index_seconds:>10.1f} s  ({report.indexes_rebuilt} indexes)")
    print(f"analyze              {report.analyze_seconds:>10.1f} s")
    print(f"usage statistics     {report.statistics_seconds:>10.1f} s  ({report.statistics.inserted:,} rows inserted)")
    print(f"total                {wall:>10.1f} s  {report.rows / wall:>10,.0f} activity rows/s")
    print(f"python cpu           {cpu.ru_utime + cpu.ru_stime:>10.1f} s")
    print(f"load average after   {os.getloadavg()[0]:>10.2f}")


if __name__ == "__main__":
    main()
