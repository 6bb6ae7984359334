"""Alerts: tell every active family admin, on their phone, what needs them (the seed's alert list).

Each kind has one small check that returns an `Alert` or None: failed sign-ins, sign-in lockouts,
a missing or failed backup, a full disk, slow queries, connections near the server's limit and
failed jobs. `alerts_send` runs them (the `operations.alerts` job every 5 minutes, or
`manage.py alerts_check --send`) and pushes each due alert through `notifications_push`.

A kind is sent at most once an hour: an alert is due only when no notification of type "alert"
with {"alert": <kind>} in its metadata was queued in the last hour, so the queue itself is the
memory and no table is added. A count covers what happened since the last alert of that kind, or
the kind's window when there was none.

The thresholds are settings (`alerts.*`, added by migration operations 0001, DEFAULTS here when a
row is missing or not a whole number in range). Slow queries are measured only where the
pg_stat_statements extension is installed and loaded; elsewhere that check stays silent (the
health page says so in its slow queries line). Replication lag waits for replicas: see CHECKS.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from notify.services import notifications_push
from operations.selectors import (
    BACKUP_OVERDUE,
    _megabytes,
    _moment_words,
    _plural,
    _rows,
    failed_sign_ins_recent,
    last_operation,
)
from profiles.selectors import family_admins
from telemetry.models import Notification, SystemEvent
from telemetry.selectors import setting_value

NOTIFICATION_TYPE = "alert"
QUIET_FOR = timedelta(hours=1)  # a kind is sent at most once in this time
LOOKBACK = timedelta(hours=1)  # what an event count covers when its kind was never sent
PRIORITY = 8

# Setting key -> (default: the seed's number, smallest allowed, largest allowed).
DEFAULTS = {
    "alerts.failed_sign_ins": (5, 1, 10_000),
    "alerts.failed_sign_ins_minutes": (10, 1, 1440),
    "alerts.slow_query_ms": (1000, 1, 3_600_000),
    "alerts.disk_percent": (80, 0, 100),
    "alerts.connections_percent": (80, 0, 100),
}


@dataclass(frozen=True)
class Alert:
    kind: str
    title: str
    message: str


def threshold(key: str) -> int:
    """The setting `key` when it holds a whole number in range, else the seed's number (DEFAULTS)."""
    default, smallest, largest = DEFAULTS[key]
    value = setting_value(key)
    if isinstance(value, int) and not isinstance(value, bool) and smallest <= value <= largest:
        return value
    return default


def _period_words(since: datetime, now: datetime) -> str:
    """'in the last 10 minutes', 'in the last hour', 'in the last 3 hours' or 'since yesterday at 14:05'."""
    minutes = max(round((now - since).total_seconds() / 60), 1)
    if minutes < 60:
        return f"in the last {_plural(minutes, 'minute')}"
    if minutes == 60:
        return "in the last hour"
    if minutes < 48 * 60:
        return f"in the last {_plural(round(minutes / 60), 'hour')}"
    return f"since {_moment_words(since, now)}"


def _names(counts: list[tuple[str, int]], word: str, words: str | None = None) -> str:
    """'7 failed sign-ins for mom' or '9 failed sign-ins: 7 for mom, 2 for dad'."""
    total = sum(count for _, count in counts)
    if len(counts) == 1:
        return f"{_plural(total, word, words)} for {counts[0][0]}"
    return f"{_plural(total, word, words)} ({', '.join(f'{count:,} for {name}' for name, count in counts)})"


def _username_counts(events) -> list[tuple[str, int]]:
    rows = events.order_by().values("metadata__username").annotate(count=Count("id"))
    counts = [(row["metadata__username"] or "a blank name", row["count"]) for row in rows]
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def failed_sign_ins_alert(*, now: datetime, since: datetime | None) -> Alert | None:
    """alerts.failed_sign_ins or more failed admin sign-ins within alerts.failed_sign_ins_minutes."""
    minutes = threshold("alerts.failed_sign_ins_minutes")
    start = now - timedelta(minutes=minutes)
    events = failed_sign_ins_recent(since=start).filter(timestamp__lte=now)
    counts = _username_counts(events)
    if sum(count for _, count in counts) < threshold("alerts.failed_sign_ins"):
        return None
    return Alert(
        "failed_sign_ins",
        "Failed sign-ins",
        f"{_names(counts, 'failed sign-in')} {_period_words(start, now)}.",
    )


def lockouts_alert(*, now: datetime, since: datetime | None) -> Alert | None:
    """Any sign-in locked out after repeated failures (auth.locked_out) since the last lockout alert."""
    start = since or now - LOOKBACK
    events = SystemEvent.objects.filter(event_type="auth.locked_out", timestamp__gt=start, timestamp__lte=now)
    counts = _username_counts(events)
    if not counts:
        return None
    return Alert(
        "lockouts",
        "Sign-in locked",
        f"{_names(counts, 'sign-in lockout')} after repeated failures {_period_words(start, now)}; "
        "manage.py axes_reset unlocks a name before the cool-off ends.",
    )


def backup_alert(*, now: datetime, since: datetime | None) -> Alert | None:
    """No backup in BACKUP_OVERDUE (as the health page judges it), or the backup job failed after the last one."""
    last = last_operation("ops.backup")
    failed = (
        SystemEvent.objects.filter(event_type="ops.job_failed", metadata__task="operations.backup", timestamp__lte=now)
        .order_by("-timestamp")
        .first()
    )
    if failed is not None and (last is None or failed.timestamp > last.timestamp):
        after = f"the last good one was {_moment_words(last.timestamp, now)}" if last else "there is no backup yet"
        return Alert(
            "backup",
            "The backup failed",
            f"The backup failed {_moment_words(failed.timestamp, now)}; {after}. The System health page says why.",
        )
    if last is None:
        return Alert("backup", "No backup yet", "There is no backup yet: manage.py tonny_backup makes one.")
    if now - last.timestamp > BACKUP_OVERDUE:
        return Alert(
            "backup",
            "A backup was missed",
            f"The last backup was {_moment_words(last.timestamp, now)}: a nightly backup was missed.",
        )
    return None


def _disk_paths() -> dict[str, Path]:
    """What each watched disk holds -> a path on it: the database's data directory (where this role may read
    it and it is on this machine) and the backup folder (its nearest existing parent until the first backup)."""
    paths = {}
    rows = _rows("SELECT setting AS path FROM pg_settings WHERE name = 'data_directory'")
    if rows and Path(rows[0]["path"]).exists():
        paths["the database"] = Path(rows[0]["path"])
    backups = Path(settings.TONNY_BACKUP_DIR).resolve()
    paths["the backups"] = next(folder for folder in (backups, *backups.parents) if folder.exists())
    return paths


def disk_alert(*, now: datetime, since: datetime | None) -> Alert | None:
    """A disk holding the database or the backups fuller than alerts.disk_percent."""
    limit = threshold("alerts.disk_percent")
    disks: dict[int, tuple[list[str], Path]] = {}
    for what, path in _disk_paths().items():
        disks.setdefault(path.stat().st_dev, ([], path))[0].append(what)
    full = []
    for holds, path in disks.values():
        usage = shutil.disk_usage(path)
        percent = 100 * usage.used / usage.total
        if percent > limit:
            full.append(
                f"The disk holding {' and '.join(holds)} is {percent:.0f} % full ({_megabytes(usage.free)} free)."
            )
    if not full:
        return None
    return Alert("disk", "A disk is nearly full", " ".join(full))


def slow_queries_alert(*, now: datetime, since: datetime | None) -> Alert | None:
    """Statements slower than alerts.slow_query_ms on average; silent where pg_stat_statements is missing."""
    if not _rows("SELECT 1 AS yes FROM pg_extension WHERE extname = 'pg_stat_statements'"):
        return None
    limit = threshold("alerts.slow_query_ms")
    try:
        with transaction.atomic():  # installed but not preloaded: the error must not end the caller's transaction
            row = _rows(
                """SELECT count(*) AS slow, max(mean_exec_time) AS slowest_ms FROM pg_stat_statements
                   WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                     AND mean_exec_time > %s""",
                [limit],
            )[0]
    except DatabaseError:
        return None
    if not row["slow"]:
        return None
    return Alert(
        "slow_queries",
        "Slow queries",
        f"{_plural(row['slow'], 'query', 'queries')} of the database take over {limit:,} ms on average "
        f"(the slowest {row['slowest_ms'] / 1000:,.1f} s); the System health page lists them.",
    )


def connections_alert(*, now: datetime, since: datetime | None) -> Alert | None:
    """Connections in use (numbackends of every database) above alerts.connections_percent of max_connections."""
    row = _rows(
        """SELECT coalesce(sum(numbackends), 0)::int AS used, current_setting('max_connections')::int AS most
           FROM pg_stat_database"""
    )[0]
    percent = 100 * row["used"] / row["most"]
    if percent <= threshold("alerts.connections_percent"):
        return None
    return Alert(
        "connections",
        "The database is running out of connections",
        f"The database has {row['used']:,} of its {row['most']:,} connections in use ({percent:.0f} %); "
        "at the limit, pages and the tray stop answering.",
    )


def jobs_failed_alert(*, now: datetime, since: datetime | None) -> Alert | None:
    """Jobs that failed (and were not retried) since the last alert of this kind; the backup has its own."""
    from operations.tasks import SCHEDULE  # noqa: PLC0415  (tasks imports this module to schedule it)

    start = since or now - LOOKBACK
    rows = _rows(
        """SELECT j.task_name, count(DISTINCT j.id) AS failed
           FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id
           WHERE e.type = 'failed' AND j.status = 'failed' AND e.at > %s AND e.at <= %s AND j.task_name <> %s
           GROUP BY j.task_name ORDER BY count(DISTINCT j.id) DESC, j.task_name""",
        [start, now, "operations.backup"],
    )
    if not rows:
        return None
    total = sum(row["failed"] for row in rows)
    names = ", ".join(
        SCHEDULE.get(row["task_name"], (row["task_name"],))[0]
        + (f" ({row['failed']:,} times)" if row["failed"] > 1 else "")
        for row in rows
    )
    return Alert("jobs_failed", "A job failed", f"{_plural(total, 'job')} failed {_period_words(start, now)}: {names}.")


# Every kind's check, in the order the alerts are sent. Replication lag joins here once the
# family runs replicas (another issue): a `replication_lag_alert` reading pg_stat_replication.
CHECKS: dict[str, Callable[..., Alert | None]] = {
    "failed_sign_ins": failed_sign_ins_alert,
    "lockouts": lockouts_alert,
    "backup": backup_alert,
    "disk": disk_alert,
    "slow_queries": slow_queries_alert,
    "connections": connections_alert,
    "jobs_failed": jobs_failed_alert,
}


def alerts_last_sent() -> dict[str, datetime]:
    """Each kind -> when its latest alert was queued."""
    rows = (
        Notification.objects.filter(notification_type=NOTIFICATION_TYPE, metadata__has_key="alert")
        .order_by()
        .values("metadata__alert")
        .annotate(latest=Max("created_at"))
    )
    return {row["metadata__alert"]: row["latest"] for row in rows}


def alerts_due(*, now: datetime | None = None) -> list[Alert]:
    """Run every check whose kind was not sent in the last hour; the alerts they found."""
    now = now or timezone.now()
    last_sent = alerts_last_sent()
    due = []
    for kind, check in CHECKS.items():
        since = last_sent.get(kind)
        if since is not None and since > now - QUIET_FOR:
            continue
        if (alert := check(now=now, since=since)) is not None:
            due.append(alert)
    return due


def alerts_send(now: datetime | None = None) -> list[Alert]:
    """Push every due alert to each active family admin (notifications_push, type "alert"); the alerts sent."""
    with transaction.atomic():
        # Two runs at once (the job and the command) would both find an alert due: take turns.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('operations.alerts'))")
        due = alerts_due(now=now)
        admins = list(family_admins())
        for alert in due:
            notifications_push(
                profiles=admins,
                notification_type=NOTIFICATION_TYPE,
                title=alert.title,
                message=alert.message,
                priority=PRIORITY,
                metadata={"alert": alert.kind},
            )
    return due
