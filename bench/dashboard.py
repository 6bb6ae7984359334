"""Benchmark: the family dashboard page at 10,000,000 activity rows, whole family and one member.

Usage (a scratch database whose name starts with "bench"; it generates what is missing):
    createdb -h 127.0.0.1 -U postgres bench_admin
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_admin .venv/bin/python bench/dashboard.py --rows 10000000
    ... bench/dashboard.py --rows 10000000 --shape many    # 4,445 members over 90 days

Each timed request renders /admin/dashboard/ for a family admin through Django's test client
(no network), for the last 30 days and for a year, for the whole family and for the member with
the most commands. It prints p50 and p95 in milliseconds, the page's size and its queries, and the
load average. Targets (p95): the family shape's whole family 40 ms for 30 days and 100 ms for a
year; in the many shape the whole family under 1 s and one member under 100 ms whatever the range.
"""

import os
import statistics
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.start import arguments_parser, django_start  # noqa: E402

django_start(debug_off=True)

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from activity.models import UsageStatistic  # noqa: E402
from bench.measure import Stopwatch, percentile  # noqa: E402
from bench.scratch import (  # noqa: E402
    activity_rows_ensure,
    answered_200_require,
    login_for,
    server_version,
    signed_in,
    storages_without_manifest,
)

# (shape, range, who): p95 target in ms.
TARGETS = {
    ("family", "30 days", "whole family"): 40,
    ("family", "a year", "whole family"): 100,
    ("family", "30 days", "one member"): 40,
    ("family", "a year", "one member"): 100,
    ("many", "30 days", "whole family"): 1000,
    ("many", "a year", "whole family"): 1000,
    ("many", "30 days", "one member"): 100,
    ("many", "a year", "one member"): 100,
}


def main() -> None:
    parser = arguments_parser(__doc__, rows=10_000_000)
    parser.add_argument("--repeat", type=int, default=40, help="Timed requests per case (after 3 warm-ups).")
    args = parser.parse_args()

    have = activity_rows_ensure(args.rows, args.shape)
    login_for("Bench Parent", "admin", username="bench_parent")
    today = timezone.localdate()
    busiest = (
        UsageStatistic.objects.filter(date__gte=today - timedelta(days=365))
        .values("profile__name")
        .order_by()
        .annotate(n=Sum("command_count"))
        .order_by("-n")
        .first()
    )
    member = busiest["profile__name"] if busiest else ""  # the dashboard names its member
    month = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    year = {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}
    cases = [
        ("30 days", "whole family", month),
        ("30 days", "one member", {**month, "member": member}),
        ("a year", "whole family", year),
        ("a year", "one member", {**year, "member": member}),
    ]
    # No manifest: the page runs in a fresh clone, without collectstatic first.
    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False, STORAGES=storages_without_manifest()):
        client = signed_in("bench_parent")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM usage_statistics")
            (statistics_rows,) = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM user_profiles")
            (members,) = cursor.fetchone()
        print(
            f"activity_logs: {have:,} rows ({args.shape} shape); usage_statistics: {statistics_rows:,} rows; "
            f"{members:,} members; {server_version()}"
        )
        print(f"zone {settings.TIME_ZONE}; {args.repeat} timed requests per case; ms; load average {_load()}\n")
        print(f"{'range':10} {'who':14} {'p50':>8} {'p95':>8} {'queries':>8} {'page KB':>8}  target p95")
        for span, who, params in cases:
            for _ in range(3):
                answered_200_require(client.get("/admin/dashboard/", params), f"The dashboard ({span}, {who})")
            times = []
            for _ in range(args.repeat):
                with Stopwatch() as watch:
                    response = client.get("/admin/dashboard/", params)
                times.append(watch.ms)
                answered_200_require(response, f"The dashboard ({span}, {who})")
            with CaptureQueriesContext(connection) as captured:
                size = len(client.get("/admin/dashboard/", params).content) / 1024
            p50, p95 = statistics.median(times), percentile(times, 95)
            target = TARGETS[args.shape, span, who]
            verdict = "ok" if p95 <= target else "MISSED"
            print(
                f"{span:10} {who:14} {p50:8.1f} {p95:8.1f} {len(captured):8} {size:8.1f}  <= {target} ms {verdict}"
                f"  (load {_load()})"
            )


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


if __name__ == "__main__":
    main()
