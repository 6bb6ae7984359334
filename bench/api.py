"""Benchmark: GET /api/v1/policy over real HTTP against gunicorn, on a big database.

Usage (a scratch database whose name starts with "bench"; it generates what is missing):
    createdb -h 127.0.0.1 -U postgres bench_api
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_api .venv/bin/python bench/api.py --rows 10000000

The busiest members get parental controls (limits, windows, command lists) and an open session,
a device token is made, and gunicorn (2 workers, as `make run`) serves the scratch database on a
free local port. One keep-alive connection then asks the policy about random members and
commands; the time of each answer is measured at the client (the HTTP round trip included, so
the server's own time is at most this) and printed as p50/p95/p99 in milliseconds. A batch of
1,000 commands through POST /api/v1/activity is timed too. The controls, sessions and token stay
(the database is a scratch one).
"""

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.start import arguments_parser, django_start  # noqa: E402

django_start()

from django.db import connection  # noqa: E402

from bench.measure import Stopwatch, latencies_line, tally_line  # noqa: E402
from bench.scratch import (  # noqa: E402
    POLICY_COMMANDS,
    activity_logs_size,
    activity_rows_ensure,
    busiest_members_controls,
    server_version,
)
from trayapi.models import DeviceToken  # noqa: E402
from trayapi.services import device_token_create  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = arguments_parser(__doc__, rows=10_000_000)
    parser.add_argument("--repeat", type=int, default=2000, help="Timed requests (after 200 warm-ups).")
    parser.add_argument("--members", type=int, default=12, help="Members with parental controls.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    have = activity_rows_ensure(args.rows, args.shape)
    rng = random.Random(args.seed)
    members = [str(profile_id) for profile_id, _ in busiest_members_controls(count=args.members, rng=rng)]
    DeviceToken.objects.filter(name="bench api").delete()
    _, token = device_token_create(name="bench api")
    print(f"activity_logs: {have:,} rows ({activity_logs_size()}); {server_version()}")
    connection.close()

    port = free_port()
    server = gunicorn_start(port)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}"}

        def ask() -> tuple[float, str]:
            member = rng.choice(members)
            command = rng.choice(POLICY_COMMANDS)
            path = f"/api/v1/policy?member={member}&command={command.replace(' ', '+').replace('!', '%21')}"
            with Stopwatch() as watch:
                conn.request("GET", path, headers=headers)
                answer = conn.getresponse()
                body = answer.read()
            if answer.status != 200:
                sys.exit(f"GET {path} answered {answer.status}: {body[:300]!r}")
            return watch.ms, json.loads(body)["reason"]

        for _ in range(200):
            ask()
        results = [ask() for _ in range(args.repeat)]
        print(f"\nGET /api/v1/policy, {args.repeat} requests over one keep-alive connection, in ms (client side):")
        print(f"  {latencies_line([elapsed for elapsed, _ in results])}")
        print(f"  reasons: {tally_line(reason for _, reason in results)}")

        batch_times = []
        for _ in range(5):
            items = [
                {"client_id": str(uuid.uuid4()), "member": rng.choice(members),
                 "command_text": rng.choice(POLICY_COMMANDS),
                 "status": "success", "processing_time_ms": rng.randint(200, 3000)}
                for _ in range(1000)
            ]  # fmt: skip
            body = json.dumps({"items": items})
            json_headers = {**headers, "Content-Type": "application/json"}
            with Stopwatch() as watch:
                conn.request("POST", "/api/v1/activity", body=body, headers=json_headers)
                answer = conn.getresponse()
                answer.read()
            batch_times.append(watch.ms)
            if answer.status != 200:
                sys.exit(f"POST /api/v1/activity answered {answer.status}")
        median = statistics.median(batch_times)
        print(f"\nPOST /api/v1/activity, 5 batches of 1,000 commands: median {median:.0f} ms a batch "
              f"({1000 / median * 1000:,.0f} commands/s)")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tonnysite.settings.local"}
    server = subprocess.Popen(  # noqa: S603  (our own gunicorn, fixed arguments)
        [str(Path(sys.executable).parent / "gunicorn"), "tonnysite.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start within 30 s")


if __name__ == "__main__":
    main()
