"""The scheduled jobs, run by real Procrastinate workers against this run's database."""

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from operations.tasks import SCHEDULE
from telemetry.models import SystemEvent
from tests.helpers import database_url_of_this_run
from tonnysite.env import BASE_DIR

# The workers are other processes: they must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def worker(name: str, **env: str) -> subprocess.Popen:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "DATABASE_URL"))}
    environment.update(DATABASE_URL=database_url_of_this_run(), DJANGO_SETTINGS_MODULE="tonnysite.settings.test", **env)
    return subprocess.Popen(  # noqa: S603  (our interpreter, our manage.py)
        [sys.executable, "manage.py", "procrastinate", "worker", f"--name={name}"],
        cwd=BASE_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def job_states() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name, status::text FROM procrastinate_jobs ORDER BY id")
        states: dict[str, list[str]] = {}
        for task, status in cursor.fetchall():
            states.setdefault(task, []).append(status)
        return states


def test_two_workers_run_every_scheduled_job_once_and_record_a_failure(tmp_path):
    not_a_folder = tmp_path / "backups"
    not_a_folder.write_text("a file where the backups should go")
    workers = [worker(f"w{n}", TONNY_BACKUP_DIR=str(not_a_folder)) for n in (1, 2)]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            states = job_states()
            if set(SCHEDULE) <= set(states) and all(s[-1] in ("succeeded", "failed") for s in states.values()):
                break
            time.sleep(0.5)
    finally:
        for process in workers:
            process.terminate()
        output = "".join(process.communicate(timeout=30)[0] for process in workers)

    # Each job's latest missed time is deferred once, whichever worker saw it first.
    states = job_states()
    # The alerts run every 5 minutes: a test that crosses a 5-minute mark sees them run twice, or
    # waiting or running as the workers stop.
    states["operations.alerts"] = sorted(set(states.get("operations.alerts", [])) - {"todo", "doing"})
    assert {name: states.get(name) for name in SCHEDULE} == {
        name: ["failed" if name == "operations.backup" else "succeeded"] for name in SCHEDULE
    }, [e.message for e in SystemEvent.objects.filter(event_type="ops.job_failed")] + [output[-3000:]]
    failure = SystemEvent.objects.get(event_type="ops.job_failed")
    assert failure.severity == "error" and failure.metadata["task"] == "operations.backup"
    done = set(SystemEvent.objects.filter(event_type__startswith="ops.").values_list("event_type", flat=True))
    assert {"ops.maintain.vacuum", "ops.maintain.analyze", "ops.maintain.reindex", "ops.health"} <= done
