"""Benchmark: one policy decision (profile lookup included), in process, on a big database.

Usage (a scratch database whose name starts with "bench", migrated, with the activity of
`generate_activity`; it generates what is missing, with a year of sessions):
    createdb -h 127.0.0.1 -U postgres bench_policy
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_policy .venv/bin/python bench/policy.py --rows 10000000

The members with the most sessions get parental controls (limits, windows crossing midnight,
command lists) and the family a country, inside a transaction that is rolled back at the
end, so the database is left as it was. Each timed decision looks the member up by id and
asks `policy_decide` about a random command at a random moment of the last year (an hour of
them "now", with an open session); it prints p50, p95 and p99 in milliseconds and the most
queries one decision made.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tonnysite.settings.local")

import django  # noqa: E402

django.setup()

from tonnysite.db import embedded_server_ensure  # noqa: E402

embedded_server_ensure()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.scratch import (  # noqa: E402
    activity_rows_ensure,
    busiest_members_controls,
    percentile,
    scratch_database_require,
)
from profiles.models import UserProfile  # noqa: E402
from profiles.policy import policy_decide  # noqa: E402
from profiles.services import family_calendar_save  # noqa: E402

COMMANDS = ["play music", "Play some music!", "tell me a joke", "buy a new game", "what's the weather", "goodnight"]


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000, help="Activity rows to have before measuring.")
    parser.add_argument("--repeat", type=int, default=2000, help="Timed decisions (after 100 warm-ups).")
    parser.add_argument("--members", type=int, default=20, help="Members with parental controls.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    scratch_database_require()
    have = activity_rows_ensure(args.rows)
    rng = random.Random(args.seed)
    try:
        with transaction.atomic():
            measure(args, rng, have)
            raise Rollback
    except Rollback:
        pass


def measure(args, rng: random.Random, have: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(started_at), max(started_at) FROM sessions")
        sessions, first, last = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('activity_logs')), version()")
        size, version = cursor.fetchone()
    family_calendar_save(country="DE", holidays=[])
    now = timezone.now()
    busiest = busiest_members_controls(count=args.members, rng=rng)
    print(f"activity_logs: {have:,} rows ({size}); sessions: {sessions:,} from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    print(f"{len(busiest)} members with controls, {busiest[-1][1]:,} to {busiest[0][1]:,} sessions each")
    print(version.split(",")[0])

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    def one() -> tuple[float, int, str]:
        nonlocal statements
        profile_id = rng.choice(busiest)[0]
        moment = now if rng.random() < 0.2 else now - timedelta(seconds=rng.randint(0, 365 * 86400))
        command = rng.choice(COMMANDS)
        statements = 0
        started = time.perf_counter()
        decision = policy_decide(profile=UserProfile.objects.get(pk=profile_id), command=command, at=moment)
        return (time.perf_counter() - started) * 1000, statements, decision.reason

    with connection.execute_wrapper(count):
        for _ in range(100):
            one()
        results = [one() for _ in range(args.repeat)]
    times = [r[0] for r in results]
    reasons = {}
    for _, _, reason in results:
        reasons[reason] = reasons.get(reason, 0) + 1
    print(f"\n{args.repeat} decisions (profile lookup by id included), in ms:")
    print(f"  p50 {statistics.median(times):.2f}   p95 {percentile(times, 95):.2f}   p99 {percentile(times, 99):.2f}"
          f"   max {max(times):.2f}")  # fmt: skip
    print(f"  queries per decision: at most {max(r[1] for r in results)}")
    print("  reasons: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
