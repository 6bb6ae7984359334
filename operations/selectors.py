"""Reads for `tonny_check` and the System health page: the server's figures and what they mean.

`health_report()` gathers every figure in a few catalog queries and grades each finding:
OK, WARNING (exit code 1) or PROBLEM (exit code 2). The thresholds are the seed's alerts: pool
exhaustion, slow queries over 1 s, failed sign-ins, disk over 80 %.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.formats import date_format

from operations.database import OperationError, server_reachable_check
from telemetry.models import EventSeverity, Notification, SystemEvent
from tonnysite.clock import family_zone, local_day, local_moment

SLOW_QUERY_MS = 1000
DISK_WARNING_PERCENT = 80
DISK_PROBLEM_PERCENT = 90
CONNECTIONS_WARNING_PERCENT = 80
CONNECTIONS_PROBLEM_PERCENT = 95
FAILED_SIGN_INS_WARNING = 10  # in 24 hours: more than a forgotten password
LARGEST_TABLES = 8


class Level(IntEnum):
    """A finding's grade; the highest one is `tonny_check`'s exit code."""

    OK = 0
    WARNING = 1
    PROBLEM = 2


@dataclass
class Finding:
    level: Level
    topic: str
    text: str


@dataclass
class HealthReport:
    checked_at: datetime
    findings: list[Finding] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def level(self) -> Level:
        return max((finding.level for finding in self.findings), default=Level.OK)

    def add(self, level: Level, topic: str, text: str) -> None:
        self.findings.append(Finding(level, topic, text))

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready values (the --json output)."""
        return {
            "status": self.level.name.lower(),
            "exit_code": int(self.level),
            "checked_at": self.checked_at.isoformat(),
            "findings": [{**asdict(f), "level": f.level.name.lower()} for f in self.findings],
            "figures": _jsonable(self.figures),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def health_report() -> HealthReport:
    """Check the database the application uses; never raises for a server that is down (a PROBLEM)."""
    report = HealthReport(checked_at=timezone.now())
    try:  # one direct attempt first: the pool would retry for DB_POOL_TIMEOUT seconds before saying no
        server_reachable_check()
        connection.ensure_connection()
    except (OperationError, DatabaseError) as error:
        report.add(Level.PROBLEM, "connection", str(error).strip())
        return report
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_user, current_database()")
        version, user, database = cursor.fetchone()
    report.figures["server"] = {"version": version, "user": user, "database": database}
    report.add(Level.OK, "connection", f"Connected to PostgreSQL {version} as {user}, database {database}.")
    _migrations(report)
    # A database not migrated yet has no events to read; the server's own figures still count.
    events_readable = "system_events" in connection.introspection.table_names()
    _size(report, with_growth=events_readable)
    _connections(report)
    _tables(report)
    _indexes(report)
    _slow_queries(report)
    if events_readable:
        _sign_ins(report)
        _events(report)
    else:
        report.add(Level.OK, "events", "Sign-ins and events are not checked: the tables do not exist yet.")
    _disk(report)
    return report


def _rows(query: str, params: list | dict | None = None) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _migrations(report: HealthReport) -> None:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    names = [f"{migration.app_label}.{migration.name}" for migration, _ in pending]
    report.figures["pending_migrations"] = names
    if names:
        report.add(
            Level.PROBLEM,
            "migrations",
            f"{_plural(len(names), 'migration')} not applied "
            f"({', '.join(names[:3])}{' ...' if len(names) > 3 else ''}): "
            "run `manage.py migrate` (or `tonny_initdb` where the application role may not change the schema).",
        )
    else:
        report.add(Level.OK, "migrations", "Every migration is applied.")


def _size(report: HealthReport, *, with_growth: bool) -> None:
    size = _rows("SELECT pg_database_size(current_database()) AS bytes")[0]["bytes"]
    earlier = with_growth and (
        SystemEvent.objects.filter(event_type="ops.health", timestamp__lte=report.checked_at - timedelta(days=6))
        .order_by("-timestamp")
        .values_list("metadata", "timestamp")
        .first()
    )
    growth = None
    if earlier and isinstance(earlier[0], dict) and isinstance(earlier[0].get("database_bytes"), int):
        days = max((report.checked_at - earlier[1]).total_seconds() / 86400, 1)
        growth = {"bytes_per_day": round((size - earlier[0]["database_bytes"]) / days), "since": earlier[1]}
    report.figures["database_bytes"] = size
    report.figures["growth"] = growth
    text = f"Database size {_megabytes(size)}"
    if growth:
        text += f", growing {_megabytes(growth['bytes_per_day'])} a day"
    else:
        text += " (growth shows once the daily health job has a week of sizes)"
    report.add(Level.OK, "size", text + ".")


def _connections(report: HealthReport) -> None:
    row = _rows(
        """SELECT count(*) FILTER (WHERE datname = current_database()) AS this_database, count(*) AS all_databases,
                  current_setting('max_connections')::int AS max_connections,
                  current_setting('superuser_reserved_connections')::int AS reserved
           FROM pg_stat_activity WHERE backend_type = 'client backend'"""
    )[0]
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool") or {}
    row["pool_max_per_process"] = pool.get("max_size") if isinstance(pool, dict) else None
    report.figures["connections"] = row
    usable = max(row["max_connections"] - row["reserved"], 1)
    percent = 100 * row["all_databases"] / usable
    text = (
        f"{row['all_databases']} of {usable} connections in use ({row['this_database']} to this database); "
        f"each web or worker process may open up to {row['pool_max_per_process'] or 'an unlimited number'}."
    )
    report.add(_graded(percent, CONNECTIONS_WARNING_PERCENT, CONNECTIONS_PROBLEM_PERCENT), "connections", text)


def _tables(report: HealthReport) -> None:
    largest = _rows(
        # coalesce: a table or index dropped meanwhile (REINDEX CONCURRENTLY swaps them) has no size.
        """SELECT relname AS table, coalesce(pg_total_relation_size(relid), 0) AS bytes, n_live_tup AS live_rows
           FROM pg_stat_user_tables WHERE schemaname = 'public'
           ORDER BY pg_total_relation_size(relid) DESC, relname LIMIT %s""",
        [LARGEST_TABLES],
    )
    # Autovacuum's own trigger: dead rows above 50 + 20 % of the live ones.
    needing = _rows(
        """SELECT relname AS table, n_dead_tup AS dead_rows, n_live_tup AS live_rows,
                  greatest(last_vacuum, last_autovacuum) AS last_vacuum
           FROM pg_stat_user_tables
           WHERE schemaname = 'public' AND n_dead_tup > 1000 AND n_dead_tup > 50 + 0.2 * n_live_tup
           ORDER BY n_dead_tup DESC"""
    )
    report.figures["largest_tables"] = largest
    report.figures["tables_needing_vacuum"] = needing
    if needing:
        names = ", ".join(f"{row['table']} ({row['dead_rows']:,} dead rows)" for row in needing[:5])
        report.add(Level.WARNING, "vacuum", f"Tables needing vacuum: {names}; run `manage.py tonny_maintain --vacuum`.")
    else:
        report.add(Level.OK, "vacuum", "No table needs a vacuum.")


def _indexes(report: HealthReport) -> None:
    # pg_stat_user_indexes names its columns relname and indexrelname (not tablename/indexname).
    indexes = _rows(
        """SELECT s.relname AS table, s.indexrelname AS index, s.idx_scan AS scans, s.idx_tup_read AS tuples_read,
                  s.idx_tup_fetch AS tuples_fetched, coalesce(pg_relation_size(s.indexrelid), 0) AS bytes,
                  i.indisunique AS is_unique
           FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
           WHERE s.schemaname = 'public'
           ORDER BY s.idx_scan, pg_relation_size(s.indexrelid) DESC"""
    )
    unused = [row for row in indexes if row["scans"] == 0 and not row["is_unique"]]
    since = _rows("SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()")[0]["stats_reset"]
    report.figures["indexes"] = {
        "count": len(indexes),
        "unused": unused,
        "least_used": indexes[:10],
        "stats_since": since,
    }
    report.add(
        Level.OK,
        "indexes",
        f"{_plural(len(indexes), 'index', 'indexes')}; {len(unused)} not used since the statistics began "
        f"({_megabytes(sum(row['bytes'] for row in unused))}).",
    )


def _slow_queries(report: HealthReport) -> None:
    installed = _rows("SELECT 1 AS yes FROM pg_extension WHERE extname = 'pg_stat_statements'")
    if not installed:
        report.figures["slow_queries"] = None
        report.add(
            Level.OK,
            "slow queries",
            "Slow queries are not measured: pg_stat_statements is not installed "
            "(shared_preload_libraries = 'pg_stat_statements', then CREATE EXTENSION pg_stat_statements).",
        )
        return
    try:
        slow = _rows(
            """SELECT left(query, 200) AS query, calls, round(mean_exec_time::numeric, 1) AS mean_ms
               FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                 AND mean_exec_time > %s ORDER BY mean_exec_time DESC LIMIT 10""",
            [SLOW_QUERY_MS],
        )
    except DatabaseError as error:  # installed in the database but not preloaded by the server
        report.figures["slow_queries"] = None
        report.add(Level.OK, "slow queries", f"Slow queries are not measured: {str(error).strip()}")
        return
    report.figures["slow_queries"] = slow
    if slow:
        report.add(
            Level.WARNING,
            "slow queries",
            f"{_plural(len(slow), 'query', 'queries')} over {SLOW_QUERY_MS} ms on average.",
        )
    else:
        report.add(Level.OK, "slow queries", f"No query takes over {SLOW_QUERY_MS} ms on average.")


def failed_sign_ins_recent(*, since: datetime):
    """Failed admin sign-ins recorded since `since` (events auth.login_failed), newest first."""
    return SystemEvent.objects.filter(event_type="auth.login_failed", timestamp__gte=since).order_by("-timestamp")


def failed_sign_ins(*, since: datetime) -> int:
    """How many admin sign-ins failed since `since`."""
    return failed_sign_ins_recent(since=since).count()


def _sign_ins(report: HealthReport) -> None:
    failures = failed_sign_ins(since=report.checked_at - timedelta(hours=24))
    report.figures["failed_sign_ins_24h"] = failures
    level = Level.WARNING if failures >= FAILED_SIGN_INS_WARNING else Level.OK
    report.add(level, "sign-ins", f"{_plural(failures, 'failed sign-in')} in the last 24 hours.")


def open_problem_events():
    """Unresolved error and critical events, newest first."""
    return SystemEvent.objects.filter(
        resolved_at__isnull=True, severity__in=[EventSeverity.ERROR, EventSeverity.CRITICAL]
    ).order_by("-timestamp")


def _events(report: HealthReport) -> None:
    counts = {"error": 0, "critical": 0}
    for severity in open_problem_events().values_list("severity", flat=True):
        counts[severity] += 1
    report.figures["open_events"] = counts
    if counts["critical"]:
        report.add(Level.PROBLEM, "events", f"{_unresolved(counts['critical'], 'critical event')}.")
    elif counts["error"]:
        report.add(Level.WARNING, "events", f"{_unresolved(counts['error'], 'error event')}.")
    else:
        report.add(Level.OK, "events", "No unresolved error or critical event.")


def _disk(report: HealthReport) -> None:
    # pg_settings hides data_directory from a role without pg_read_all_settings (no row, no error).
    rows = _rows("SELECT setting AS path FROM pg_settings WHERE name = 'data_directory'")
    path = Path(rows[0]["path"]) if rows else None
    if path is None or not path.exists():
        report.figures["disk"] = None
        reason = (
            "this role may not read where the server keeps its data"
            if path is None
            else f"{path} is on another machine"
        )
        report.add(Level.OK, "disk", f"Disk use of the data directory is not measured here: {reason}.")
        return
    usage = shutil.disk_usage(path)
    percent = round(100 * usage.used / usage.total, 1)
    report.figures["disk"] = {
        "path": str(path),
        "total_bytes": usage.total,
        "free_bytes": usage.free,
        "used_percent": percent,
    }
    text = f"The data directory's disk is {percent} % full ({_megabytes(usage.free)} free)."
    report.add(_graded(percent, DISK_WARNING_PERCENT, DISK_PROBLEM_PERCENT), "disk", text)


def _graded(percent: float, warning: int, problem: int) -> Level:
    return Level.PROBLEM if percent >= problem else Level.WARNING if percent >= warning else Level.OK


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def _unresolved(count: int, word: str) -> str:
    return f"{_plural(count, word)} {'is' if count == 1 else 'are'} not resolved"


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB"


def pending_notifications() -> int:
    """Notifications not yet sent."""
    return Notification.objects.filter(sent_at__isnull=True).count()


def last_operation(event_type: str) -> SystemEvent | None:
    """The newest `ops.*` event of this type (last backup, purge, maintenance)."""
    return SystemEvent.objects.filter(event_type=event_type).order_by("-timestamp").first()


@dataclass
class ScheduledJob:
    name: str
    title: str
    cron: str
    next_run: datetime
    last_success: datetime | None = None
    last_failure: datetime | None = None
    waiting: int = 0


def scheduled_jobs(*, schedule: dict[str, tuple[str, str]], now: datetime | None = None) -> list[ScheduledJob]:
    """Each scheduled task (name -> (title, cron in UTC)) with its next time and its last success and failure."""
    from croniter import croniter  # noqa: PLC0415  (Procrastinate's own cron reader)

    now = now or timezone.now()
    jobs = {
        name: ScheduledJob(
            name=name, title=title, cron=cron, next_run=croniter(cron, now.astimezone(UTC)).get_next(datetime)
        )
        for name, (title, cron) in schedule.items()
    }
    rows = _rows(
        """SELECT j.task_name, e.type::text AS type, max(e.at) AS at
           FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id
           WHERE j.task_name = ANY(%s) AND e.type IN ('succeeded', 'failed')
           GROUP BY j.task_name, e.type""",
        [list(jobs)],
    )
    for row in rows:
        setattr(jobs[row["task_name"]], "last_success" if row["type"] == "succeeded" else "last_failure", row["at"])
    for row in _rows(
        """SELECT task_name, count(*) AS waiting FROM procrastinate_jobs
           WHERE task_name = ANY(%s) AND status = 'todo' GROUP BY task_name""",
        [list(jobs)],
    ):
        jobs[row["task_name"]].waiting = row["waiting"]
    return list(jobs.values())


def workers_alive(*, within: timedelta = timedelta(minutes=2)) -> int:
    """Workers whose heartbeat is recent (Procrastinate beats every few seconds)."""
    return _rows("SELECT count(*) AS alive FROM procrastinate_workers WHERE last_heartbeat > now() - %s", [within])[0][
        "alive"
    ]


BACKUP_OVERDUE = timedelta(hours=36)  # the backup runs nightly: a day and a half means one was missed


@dataclass
class HealthSummary:
    """The health page's first lines, in words: what is fine, and what needs a parent."""

    fine: list[str]
    attention: list[str]

    @property
    def all_well(self) -> bool:
        return not self.attention


def health_summary(
    *, report: HealthReport, last_backup: SystemEvent | None, workers: int, now: datetime | None = None
) -> HealthSummary:
    """Say in words whether the database answers, when the last backup was, whether errors came today and
    are open, and whether the jobs can run; every warning or problem of `report` needs attention."""
    now = now or report.checked_at
    fine, attention = [], []
    topics_said = {"connection", "events"}
    connected = not any(f.topic == "connection" and f.level is Level.PROBLEM for f in report.findings)
    if connected:
        fine.append("the database answers")
    else:
        attention.append(f"The database does not answer: {_finding_text(report, 'connection')}")
    if last_backup is None:
        attention.append("There is no backup yet (manage.py tonny_backup makes one; the nightly job does too).")
    elif now - last_backup.timestamp > BACKUP_OVERDUE:
        attention.append(
            f"The last backup was {_moment_words(last_backup.timestamp, now)}: a nightly backup was missed."
        )
    else:
        fine.append(f"the last backup was {_moment_words(last_backup.timestamp, now)}")
    if connected:
        _errors_summary(report, now, fine, attention)
        if not workers:
            attention.append("No job worker is running, so backups, the purge and the checks wait until one starts.")
    for finding in report.findings:
        if finding.level is not Level.OK and finding.topic not in topics_said:
            attention.append(f"{finding.topic.capitalize()}: {finding.text}")
    return HealthSummary(fine=fine, attention=attention)


def _errors_summary(report: HealthReport, now: datetime, fine: list[str], attention: list[str]) -> None:
    open_counts = report.figures.get("open_events") or {}
    unresolved = sum(open_counts.values())
    if unresolved:
        latest = open_problem_events().values_list("timestamp", flat=True).first()
        what = "error is" if unresolved == 1 else "errors are"
        attention.append(f"{unresolved:,} {what} not resolved, the latest {_moment_words(latest, now)}.")
        return
    today_start = local_moment(local_day(now), 0)
    errors_today = SystemEvent.objects.filter(
        severity__in=[EventSeverity.ERROR, EventSeverity.CRITICAL], timestamp__gte=today_start, timestamp__lte=now
    ).exists()
    fine.append("today's errors are all resolved" if errors_today else "no errors today")


def _finding_text(report: HealthReport, topic: str) -> str:
    return next((f.text for f in report.findings if f.topic == topic), "")


def _moment_words(moment: datetime, now: datetime) -> str:
    """'today at 03:00', 'yesterday at 03:00' or 'on Tue 1 Dec at 03:00', in the family's zone."""
    day, today = local_day(moment), local_day(now)
    clock = date_format(moment.astimezone(family_zone()), "TIME_FORMAT")
    if day == today:
        return f"today at {clock}"
    if day == today - timedelta(days=1):
        return f"yesterday at {clock}"
    return f"on {date_format(day, 'SHORT_DATE_FORMAT')} at {clock}"
