"""The scheduled jobs: Procrastinate runs them from PostgreSQL, on any number of workers.

`make run` starts one worker beside the web server; `manage.py procrastinate worker` (or
`make worker`) runs one alone, on this machine or another pointing at the same database. Each
schedule is a cron line in UTC; a worker that was not running at a scheduled time runs the
latest missed time once when it starts (PROCRASTINATE_PERIODIC_DEFAULTS). Every scheduled time is
deferred once however many workers run (Procrastinate's periodic lock), and a queueing lock keeps
a task from queueing twice while one is waiting.

Each task is a thin adapter over one service, and returns nothing: what it did is an `ops.*`
system event, which the System health page shows.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from procrastinate.contrib.django import app

from operations import alerts, retention, selectors, services
from telemetry.models import EventSeverity

QUEUE = "operations"

# Task name -> (what it does, cron in UTC), for the README and the health page, in the order they run
# (the alerts every 5 minutes first).
SCHEDULE = {
    "operations.alerts": ("Alerts to the family admins", "*/5 * * * *"),
    "operations.backup": ("Backup (the newest 7 kept)", "30 2 * * *"),
    "operations.purge": ("Retention purge", "15 3 * * *"),
    "operations.vacuum": ("VACUUM ANALYZE", "0 4 * * *"),
    "operations.analyze": ("ANALYZE", "30 4 * * 0"),
    "operations.reindex": ("REINDEX", "0 5 1 * *"),
    "operations.health": ("Health check", "0 6 * * *"),
}


def _scheduled(name: str):
    """Register a function as the task `name`, run on its SCHEDULE line; a failure is also an error event."""

    def register(function):
        @functools.wraps(function)
        def run(timestamp: int) -> None:
            try:
                function(timestamp)
            except Exception as error:
                # Procrastinate keeps only "failed"; the event keeps why, for the health page and the events list.
                services.ops_event_log(
                    event_type="ops.job_failed",
                    message=f"{SCHEDULE[name][0]} failed: {error}",
                    metadata={"task": name, "error": type(error).__name__},
                    severity=EventSeverity.ERROR,
                )
                raise

        task = app.task(name=name, queue=QUEUE, queueing_lock=name)(run)
        return app.periodic(cron=SCHEDULE[name][1])(task)

    return register


@_scheduled("operations.backup")
def nightly_backup(timestamp: int) -> None:
    """Back the database up under TONNY_BACKUP_DIR and keep the newest TONNY_BACKUPS_KEPT."""
    services.backup_create()
    services.backups_prune(keep=settings.TONNY_BACKUPS_KEPT)


@_scheduled("operations.purge")
def nightly_purge(timestamp: int) -> None:
    """Apply privacy.log_retention_days (archiving to TONNY_PURGE_ARCHIVE_DIR when set)."""
    archive = settings.TONNY_PURGE_ARCHIVE_DIR
    retention.log_purge(archive=Path(archive) if archive else None)


@_scheduled("operations.vacuum")
def daily_vacuum(timestamp: int) -> None:
    """The seed's daily VACUUM ANALYZE."""
    services.maintenance_run(routine=services.Routine.VACUUM)


@_scheduled("operations.analyze")
def weekly_analyze(timestamp: int) -> None:
    """The seed's weekly ANALYZE."""
    services.maintenance_run(routine=services.Routine.ANALYZE)


@_scheduled("operations.reindex")
def monthly_reindex(timestamp: int) -> None:
    """The seed's monthly REINDEX, table by table and CONCURRENTLY."""
    services.maintenance_run(routine=services.Routine.REINDEX)


@_scheduled("operations.health")
def daily_health(timestamp: int) -> None:
    """Record the day's health (the database size the growth figure compares with); warn when not healthy."""
    report = selectors.health_report()
    level = report.level
    problems = [finding.text for finding in report.findings if finding.level > selectors.Level.OK]
    services.ops_event_log(
        event_type="ops.health",
        message="Health check: " + ("healthy." if not problems else " ".join(problems)),
        metadata={"database_bytes": report.figures.get("database_bytes"), "status": level.name.lower()},
        severity=EventSeverity.INFO if level == selectors.Level.OK else EventSeverity.WARNING,
    )


@_scheduled("operations.alerts")
def alerts_every_five_minutes(timestamp: int) -> None:
    """Tell the family admins what needs them (operations.alerts), each kind at most once an hour."""
    alerts.alerts_send()
