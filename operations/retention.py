"""Retention: delete the activity log, command history, sessions and settled system events older than
`privacy.log_retention_days`, archiving them first when asked.

Rows go in batches of `BATCH_ROWS`, each in its own short transaction that locks only its own rows
(`FOR UPDATE SKIP LOCKED`), never a table. With an archive folder, each batch is deleted by
`COPY (DELETE ... RETURNING *) TO STDOUT`: the rows written to the archive are exactly the rows
deleted, and the batch commits only after the archive has them (a crash between the two can
repeat rows in the archive, never lose one).

Usage statistics are not touched: deleting rows by SQL runs no signal, and the purge moves the
setting `privacy.purged_before` to the first day kept, which the statistics statement never
recomputes below (activity.statistics_sql.PURGED_BEFORE). A purged day keeps its row.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from operations.database import OperationError
from operations.services import ops_event_log
from telemetry.models import Setting
from telemetry.selectors import HORIZON_KEY, RETENTION_KEY, retention_cutoff, setting_value
from telemetry.services import setting_update
from tonnysite.clock import family_zone, local_midnight
from tonnysite.safe_input import FIRST_YEAR

BATCH_ROWS = 5000


@dataclass(frozen=True)
class PurgedTable:
    """A table the purge empties of old rows: which column dates a row, and which rows may go at all."""

    table: str
    moment: str
    condition: str = "true"


PURGED_TABLES = (
    PurgedTable("activity_logs", "timestamp"),
    PurgedTable("command_history", "timestamp"),
    # An open session is still in use, however old its start.
    PurgedTable("sessions", "started_at", "ended_at IS NOT NULL"),
    # Errors and warnings go once resolved; info and debug events have nothing to resolve.
    PurgedTable("system_events", "timestamp", "(resolved_at IS NOT NULL OR severity IN ('debug', 'info'))"),
)


@dataclass
class PurgeResult:
    cutoff: datetime | None
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows deleted (or that would be)
    files: list[Path] = field(default_factory=list)
    message: str = ""


def retention_days() -> int | None:
    """The setting privacy.log_retention_days as a whole number of days, or None when it is missing or 0."""
    stored = setting_value(RETENTION_KEY)
    if stored is None or stored == 0:
        return None
    if isinstance(stored, bool) or not isinstance(stored, int) or stored < 0:
        raise OperationError(
            f"The setting {RETENTION_KEY} is {stored!r}; it must be a whole number of days (0 keeps everything)."
        )
    return stored


def log_purge(
    *,
    archive: Path | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    say: Callable[[str], None] = lambda message: None,
) -> PurgeResult:
    """Delete (or with `dry_run` only count) the rows older than the retention setting; see the module."""
    days = retention_days()
    if days is None:
        return PurgeResult(cutoff=None, dry_run=dry_run, message=f"Nothing purged: {RETENTION_KEY} is not set (or 0).")
    cutoff = retention_cutoff(days=days, now=now)
    result = PurgeResult(cutoff=cutoff, dry_run=dry_run)
    if archive is not None:
        archive.mkdir(parents=True, exist_ok=True)
    zone = family_zone()
    for target in PURGED_TABLES:
        result.rows[target.table] = 0
        for month_start, month_end in _months_to_purge(target, cutoff=cutoff, zone=zone):
            if dry_run:
                result.rows[target.table] += _count(target, month_start, month_end)
                continue
            path = archive / f"{target.table}-{month_start:%Y-%m}.csv.gz" if archive is not None else None
            moved = _purge_month(target, month_start, month_end, path=path)
            result.rows[target.table] += moved
            if path is not None and moved and path not in result.files:
                result.files.append(path)
            say(f"{target.table} {month_start:%Y-%m}: {moved:,} rows")
    verb = "would delete" if dry_run else "deleted"
    counted = ", ".join(f"{rows:,} {table}" for table, rows in result.rows.items())
    result.message = f"Kept {days} days (from {cutoff:%A %d %B %Y} 00:00, {zone.key}); {verb} {counted}."
    if not dry_run:
        _horizon_move(first_kept=cutoff.date())
        ops_event_log(
            event_type="ops.purge",
            message=result.message,
            metadata={
                "cutoff": cutoff.isoformat(),
                "rows": result.rows,
                "archive": [str(p) for p in result.files],
            },
        )
    return result


def _months_to_purge(target: PurgedTable, *, cutoff: datetime, zone: ZoneInfo) -> Iterator[tuple[datetime, datetime]]:
    """The local months holding rows to purge, oldest first, each cut at the cutoff.

    Months with nothing to purge are skipped, and rows from before the years moments may lie in
    (a clock centuries off) go as one span: one stray row costs one step, not a walk over every month.
    """
    plausible = local_midnight(date(FIRST_YEAR, 1, 1), zone)
    after = None
    while (oldest := _oldest(target, after=after, cutoff=cutoff)) is not None:
        if oldest < plausible:
            start, following = oldest, plausible
        else:
            local = oldest.astimezone(zone)
            start = local_midnight(date(local.year, local.month, 1), zone)
            following = local_midnight(date(local.year + local.month // 12, local.month % 12 + 1, 1), zone)
        yield start, min(following, cutoff)
        if following >= cutoff:
            return
        after = following


def _oldest(target: PurgedTable, *, after: datetime | None, cutoff: datetime) -> datetime | None:
    """The first moment of a row to purge from `after` on (the start when None)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min({target.moment}) FROM {target.table} "  # noqa: S608
            f"WHERE {target.moment} >= %s AND {target.moment} < %s AND {target.condition}",
            ["-infinity" if after is None else after, cutoff],
        )
        return cursor.fetchone()[0]


def _batch_sql(target: PurgedTable) -> str:
    return f"""DELETE FROM {target.table} WHERE id IN (
        SELECT id FROM {target.table}
        WHERE {target.moment} >= %(start)s AND {target.moment} < %(end)s AND {target.condition}
        ORDER BY {target.moment} LIMIT {BATCH_ROWS} FOR UPDATE SKIP LOCKED
    )"""  # noqa: S608


def _count(target: PurgedTable, start: datetime, end: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {target.table} WHERE {target.moment} >= %(start)s AND {target.moment} < %(end)s "  # noqa: S608
            f"AND {target.condition}",
            {"start": start, "end": end},
        )
        return cursor.fetchone()[0]


def _purge_month(target: PurgedTable, start: datetime, end: datetime, *, path: Path | None) -> int:
    """Delete one month's rows batch by batch (archiving each batch first when `path` is given)."""
    total = 0
    while True:
        with transaction.atomic():
            if path is None:
                with connection.cursor() as cursor:
                    cursor.execute(_batch_sql(target), {"start": start, "end": end})
                    moved = cursor.rowcount
            else:
                moved = _archive_batch(target, start, end, path=path)
        total += moved
        if moved < BATCH_ROWS:
            return total


def _archive_batch(target: PurgedTable, start: datetime, end: datetime, *, path: Path) -> int:
    """Delete one batch and append its rows as CSV to the gzip file at `path` (header when new)."""
    header = not path.exists()
    buffer = io.BytesIO()
    connection.ensure_connection()
    with connection.connection.cursor() as raw:
        statement = raw.mogrify(_batch_sql(target), {"start": start, "end": end})
        copy_sql = f"COPY ({statement} RETURNING *) TO STDOUT WITH (FORMAT csv, HEADER {str(header).lower()})"
        with raw.copy(copy_sql) as copy:
            for data in copy:
                buffer.write(data)
        moved = raw.rowcount
    if moved:
        with gzip.open(path, "ab") as archive:  # one gzip member per batch; gzip -d reads them as one file
            archive.write(buffer.getvalue())
    return moved


def _horizon_move(*, first_kept: date) -> None:
    """Record the first day kept (never moving it back), so statistics of purged days stay as they were."""
    with transaction.atomic():
        setting = Setting.objects.select_for_update().filter(key=HORIZON_KEY).first()
        if setting is None:
            setting = Setting(
                key=HORIZON_KEY,
                category="privacy",
                description="Activity before this day was purged; its usage statistics are kept as they were.",
                is_user_editable=False,
                validation_schema={"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            )
        elif isinstance(setting.value, str) and setting.value >= first_kept.isoformat():
            return
        # Read-only to people, written by the app: through the one service, so it is checked and recorded alike.
        setting_update(setting=setting, value=first_kept.isoformat(), by_the_app=True)
