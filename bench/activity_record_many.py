"""Benchmark: activity_record_many (statistics included) against a plain COPY of the same rows.

Usage (on a scratch database; it adds rows):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_activity \
        .venv/bin/python bench/activity_record_many.py --base 10000000 --batch 100000

It first fills activity_logs up to --base rows (server-side generate_series, in time
order, ending 30 days ago; not timed), then in the same run times a COPY of --batch rows
and activity_record_many of --batch other rows of the same shape (each load one recent
day of its own), and prints rows per second and the ratio.
"""

import json
import random
import sys
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.start import arguments_parser, django_start  # noqa: E402

django_start()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from activity.services import activity_record_many  # noqa: E402
from bench.measure import Stopwatch  # noqa: E402
from bench.scratch import activity_rows_count  # noqa: E402
from profiles.models import UserProfile  # noqa: E402

COLUMNS = [
    "id", "profile_id", "timestamp", "command_text", "transcription_confidence", "response_text", "status",
    "processing_time_ms", "whisper_time_ms", "n8n_time_ms", "tts_time_ms", "error_message", "metadata",
]  # fmt: skip
COMMANDS = ["turn on the lights", "what's the weather", "play some music", "tell me a joke", "set a timer"]


def profiles(count: int) -> list:
    existing = list(UserProfile.objects.filter(name__startswith="Bench ").values_list("pk", flat=True)[:count])
    for n in range(len(existing), count):
        existing.append(UserProfile.objects.create(name=f"Bench {n}").pk)
    return existing


def fill_base(target: int, profile_ids: list) -> int:
    have = activity_rows_count()
    with connection.cursor() as cursor:
        chunk = 1_000_000
        while have < target:
            n = min(chunk, target - have)
            cursor.execute(
                """
                INSERT INTO activity_logs (profile_id, timestamp, command_text, transcription_confidence, status,
                    processing_time_ms, whisper_time_ms, n8n_time_ms, tts_time_ms, metadata)
                SELECT (%(profiles)s::uuid[])[1 + (g %% cardinality(%(profiles)s::uuid[]))],
                       -- An append-only log: rows arrive in time order, as the tray writes them.
                       now() - interval '395 days' + ((%(have)s + g)::float / %(target)s) * interval '365 days',
                       (ARRAY['turn on the lights','weather','play music','joke','timer'])[1 + (g %% 5)],
                       round((0.6 + random() * 0.4)::numeric, 2),
                       (ARRAY['success','success','success','failed','timeout']::command_status[])[1 + (g %% 5)],
                       (random() * 3000)::int, 300, 400, 200,
                       jsonb_build_object('device', 'mic_' || (g %% 3))
                FROM generate_series(1, %(n)s) AS g
                """,
                {"profiles": profile_ids, "n": n, "have": have, "target": target},
            )
            have += n
            print(f"  base: {have:,} rows", flush=True)
    return have


def batch(size: int, profile_ids: list, days_ago: int) -> list[dict]:
    """`size` commands spread over one day, `days_ago` days back (a tray flushing a day's buffer)."""
    day_start = timezone.now() - timedelta(days=days_ago)
    rows = []
    for n in range(size):
        failed = n % 10 == 0
        rows.append(
            {
                "id": uuid.uuid4(),
                "profile_id": random.choice(profile_ids),
                "timestamp": day_start + timedelta(seconds=86400 * n / size),
                "command_text": random.choice(COMMANDS),
                "transcription_confidence": round(random.uniform(0.6, 1.0), 2),
                "response_text": "OK",
                "status": "failed" if failed else "success",
                "processing_time_ms": random.randint(200, 3000),
                "whisper_time_ms": 300,
                "n8n_time_ms": 400,
                "tts_time_ms": 200,
                "error_message": "n8n_down: refused" if failed else None,
                "metadata": {"device": random.choice(["kitchen_mic", "desk_mic", "phone"])},
            }
        )
    return rows


def free_days_ago(profile_ids: list) -> list[int]:
    """The n of "n days ago" (2-30) whose day and the next hold no row of these members yet, farthest last."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n FROM generate_series(2, 30) AS n
            WHERE NOT EXISTS (
                SELECT 1 FROM activity_logs
                WHERE profile_id = ANY(%(profiles)s::uuid[])
                  AND timestamp >= now() - (n + 1) * interval '1 day' AND timestamp < now() - (n - 2) * interval '1 day'
            )
            ORDER BY n DESC
            """,
            {"profiles": profile_ids},
        )
        found = [row[0] for row in cursor.fetchall()]
    # Two loads a day apart would share the local day between them: keep every other free day.
    chosen = []
    for n in sorted(found):
        if not chosen or n - chosen[-1] >= 3:
            chosen.append(n)
    return sorted(chosen, reverse=True)


def time_copy(rows: list[dict]) -> float:
    with Stopwatch() as watch:
        connection.ensure_connection()
        copy_sql = f"COPY activity_logs ({', '.join(COLUMNS)}) FROM STDIN"
        with transaction.atomic(), connection.connection.cursor() as raw, raw.copy(copy_sql) as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c == "metadata" else row[c] for c in COLUMNS])
    return watch.seconds


def time_record_many(rows: list[dict]) -> float:
    with Stopwatch() as watch:
        activity_record_many(rows=rows)
    return watch.seconds


def main():
    parser = arguments_parser(__doc__)
    parser.add_argument("--base", type=int, default=2_000_000, help="rows activity_logs holds before timing")
    parser.add_argument("--batch", type=int, default=100_000, help="rows per timed load")
    parser.add_argument("--profiles", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    profile_ids = profiles(args.profiles)
    print(f"Filling activity_logs to {args.base:,} rows (not timed)")
    have = fill_base(args.base, profile_ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE activity_logs")
    print(f"activity_logs holds {have:,} rows; timing batches of {args.batch:,}")
    free = free_days_ago(profile_ids)
    if len(free) < 2 * args.rounds:
        sys.exit(
            f"Only {len(free)} of the last 30 days have no rows of the benchmark's members, {2 * args.rounds} are "
            "needed: use a fresh scratch database (a day already loaded makes every later load recompute it)."
        )
    for round_number in range(1, args.rounds + 1):
        # Each load gets an empty day of its own in the 30 days after the base history: the statistics of a
        # day are recomputed from all its rows, so a day filled by an earlier run would cost that run's rows too.
        copy_seconds = time_copy(batch(args.batch, profile_ids, days_ago=free.pop()))
        many_seconds = time_record_many(batch(args.batch, profile_ids, days_ago=free.pop()))
        copy_rate, many_rate = args.batch / copy_seconds, args.batch / many_seconds
        print(
            f"round {round_number}: COPY {copy_rate:,.0f} rows/s ({copy_seconds:.2f} s) | "
            f"activity_record_many incl. statistics {many_rate:,.0f} rows/s ({many_seconds:.2f} s) | "
            f"ratio {many_rate / copy_rate:.0%}"
        )


if __name__ == "__main__":
    main()
