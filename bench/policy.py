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

import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.start import arguments_parser, django_start  # noqa: E402

django_start()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.measure import StatementCounter, Stopwatch, latencies_line, tally_line  # noqa: E402
from bench.scratch import (  # noqa: E402
    POLICY_COMMANDS,
    activity_logs_size,
    activity_rows_ensure,
    busiest_members_controls,
    rolled_back,
    server_version,
)
from parental.rules import policy_decide  # noqa: E402
from parental.services import family_calendar_save  # noqa: E402
from profiles.models import UserProfile  # noqa: E402


def main() -> None:
    parser = arguments_parser(__doc__, rows=10_000_000)
    parser.add_argument("--repeat", type=int, default=2000, help="Timed decisions (after 100 warm-ups).")
    parser.add_argument("--members", type=int, default=20, help="Members with parental controls.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    have = activity_rows_ensure(args.rows, args.shape)
    rng = random.Random(args.seed)
    with rolled_back():
        measure(args, rng, have)


def measure(args, rng: random.Random, have: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(started_at), max(started_at) FROM sessions")
        sessions, first, last = cursor.fetchone()
    size, version = activity_logs_size(), server_version()
    family_calendar_save(country="DE", holidays=[])
    now = timezone.now()
    busiest = busiest_members_controls(count=args.members, rng=rng)
    print(f"activity_logs: {have:,} rows ({size}); sessions: {sessions:,} from {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    print(f"{len(busiest)} members with controls, {busiest[-1][1]:,} to {busiest[0][1]:,} sessions each")
    print(version)

    statements = StatementCounter()

    def one() -> tuple[float, int, str]:
        profile_id = rng.choice(busiest)[0]
        moment = now if rng.random() < 0.2 else now - timedelta(seconds=rng.randint(0, 365 * 86400))
        command = rng.choice(POLICY_COMMANDS)
        statements.count = 0
        with Stopwatch() as watch:
            decision = policy_decide(profile=UserProfile.objects.get(pk=profile_id), command=command, at=moment)
        return watch.ms, statements.count, decision.reason

    with connection.execute_wrapper(statements):
        for _ in range(100):
            one()
        results = [one() for _ in range(args.repeat)]
    print(f"\n{args.repeat} decisions (profile lookup by id included), in ms:")
    print(f"  {latencies_line([r[0] for r in results])}")
    print(f"  queries per decision: at most {max(r[1] for r in results)}")
    print(f"  reasons: {tally_line(reason for _, _, reason in results)}")


if __name__ == "__main__":
    main()
