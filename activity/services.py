"""Writes for the audit trail and the numbers derived from it.

usage_statistics, user_profiles.last_active_at and the session counters are
derived data: every function here recomputes them from the source rows with one
set-based statement, so they are exact whatever order writes arrive in.
What counts where:

- command_count / success_count / failure_count: finished commands only
  (success; failed and timeout are failures). pending/processing count nowhere.
- a usage_statistics row exists for a profile and local day only while that day
  has a finished command or closed-session time; otherwise it is deleted.
- last_active_at: time of the profile's latest finished command.
- sessions.command_count / error_count: activity rows whose metadata carries
  {"session_id": "<session id>"}, of any status / failed or timeout.
- anonymous commands (no profile) are stored and counted nowhere.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet

from activity import statistics_sql as sql
from activity.models import CommandStatus, Session
from activity.selectors import ActivityFootprint, session_id_of
from tonnysite.clock import family_zone, local_day, zone_name
from tonnysite.safe_input import FIRST_YEAR, LAST_YEAR

if TYPE_CHECKING:
    from profiles.models import UserProfile

ProfileDay = tuple[uuid.UUID, date]
# What a session's statistics depend on: (profile_id, started_at, ended_at).
SessionFootprint = tuple[uuid.UUID | None, datetime | None, datetime | None]
# What a command-history row's statistics depend on: (profile_id, timestamp).
HistoryFootprint = tuple[uuid.UUID | None, datetime | None]


@dataclass(frozen=True)
class RefreshResult:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted

    def __add__(self, other: RefreshResult) -> RefreshResult:
        return RefreshResult(self.inserted + other.inserted, self.updated + other.updated, self.deleted + other.deleted)


def _counted_day(moment: datetime, zone: ZoneInfo | None = None) -> date | None:
    """The local day of `moment` if statistics count it (the years 2000-2099 of safe_input), else None."""
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return None
    return local_day(moment, zone)


def _lock_profiles(cursor: CursorWrapper, profile_ids: Iterable[uuid.UUID]) -> None:
    cursor.execute(sql.LOCK_PROFILES, {"profile_ids": list(profile_ids)})


def usage_days_refresh(*, keys: Iterable[ProfileDay]) -> RefreshResult:
    """Bring the usage_statistics rows of these (profile, local day) pairs to the exact truth."""
    # A day outside the years moments may lie in (a clock centuries off, written by plain SQL) gets no row.
    keys = {
        (pid, day) for pid, day in keys if pid is not None and day is not None and FIRST_YEAR <= day.year <= LAST_YEAR
    }
    if not keys:
        return RefreshResult()
    profile_ids = [profile_id for profile_id, _ in keys]
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_profiles(cursor, profile_ids)
        cursor.execute(
            sql.refresh_days_sql(sql.KEYS_FROM_ARRAYS),
            {"profile_ids": profile_ids, "days": [day for _, day in keys], "tz": zone_name()},
        )
        return RefreshResult(*cursor.fetchone())


def profiles_last_active_refresh(*, profile_ids: Iterable[uuid.UUID | None]) -> None:
    """Set last_active_at of these profiles to the time of their latest finished command."""
    profile_ids = sorted({pid for pid in profile_ids if pid is not None})
    if profile_ids:
        with connection.cursor() as cursor:
            cursor.execute(sql.last_active_sql(sql.PROFILES_FROM_ARRAY), {"profile_ids": profile_ids})


def sessions_counters_refresh(*, session_ids: Iterable[uuid.UUID | None]) -> None:
    """Recount command_count and error_count of these sessions from their activity rows."""
    session_ids = sorted({sid for sid in session_ids if sid is not None})
    if session_ids:
        with connection.cursor() as cursor:
            cursor.execute(sql.session_counters_sql(sql.SESSIONS_FROM_ARRAY), {"session_ids": session_ids})


@transaction.atomic
def activity_changed(*, footprints: Iterable[ActivityFootprint]) -> None:
    """Refresh everything derived from activity rows that had (or now have) these footprints.

    Called for a created, changed or deleted row with its old and new footprint.
    """
    footprints = [fp for fp in footprints if fp is not None]
    usage_days_refresh(
        keys=[(fp.profile_id, _counted_day(fp.timestamp)) for fp in footprints if fp.profile_id and fp.timestamp]
    )
    profiles_last_active_refresh(profile_ids=[fp.profile_id for fp in footprints])
    sessions_counters_refresh(session_ids=[fp.session_id for fp in footprints])


def session_days(*, started_at: datetime | None, ended_at: datetime | None) -> list[date]:
    """The local days a session's time falls on (none while it is open)."""
    if started_at is None or ended_at is None or ended_at < started_at:
        return []
    # Only the days statistics count: a session from a clock centuries off has none.
    started_at = max(started_at, datetime(FIRST_YEAR, 1, 2, tzinfo=UTC))
    ended_at = min(ended_at, datetime(LAST_YEAR, 12, 30, tzinfo=UTC))
    if ended_at < started_at:
        return []
    first, last = local_day(moment=started_at), local_day(moment=ended_at)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def session_changed(*, before: SessionFootprint | None, after: SessionFootprint | None) -> None:
    """Refresh the days whose active time a session's (profile, started_at, ended_at) touched."""
    keys = []
    for footprint in (before, after):
        if footprint is not None:
            profile_id, started_at, ended_at = footprint
            keys.extend((profile_id, day) for day in session_days(started_at=started_at, ended_at=ended_at))
    usage_days_refresh(keys=keys)


# Where an open session ends when someone ends it without a time: where it went idle, or now if it
# is still in use, never before it started (a clock ahead of ours). Sessions have no change history,
# so who ended it stays on the row, in metadata.ended_by.
_SESSIONS_END = """
UPDATE sessions
   SET ended_at = GREATEST(started_at, LEAST(session_idle_end(id, started_at, now()), now())),
       metadata = coalesce(metadata, '{}'::jsonb)
                  || jsonb_strip_nulls(jsonb_build_object('ended_by', %(ended_by)s::text))
 WHERE id = ANY(%(ids)s) AND ended_at IS NULL
RETURNING profile_id, started_at, ended_at
"""
_SESSIONS_DELETE = "DELETE FROM sessions WHERE id = ANY(%(ids)s) RETURNING profile_id, started_at, ended_at"


@transaction.atomic
def sessions_end(*, sessions: QuerySet[Session], ended_by: UserProfile | None = None) -> int:
    """End the open sessions of `sessions` where they went idle, or now if still in use; return how many.

    The rule of a tray that ends a session without a time: the idle gap counted nowhere and still
    does not. Ended sessions keep their end. `ended_by` (the family admin who ended them) is kept
    in the session's metadata as ended_by; the days they touch are refreshed in one statement.
    """
    ids = list(sessions.order_by().values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(_SESSIONS_END, {"ids": ids, "ended_by": ended_by.name if ended_by is not None else None})
        ended = cursor.fetchall()
    _session_days_refresh(ended)
    return len(ended)


@transaction.atomic
def sessions_delete(*, sessions: QuerySet[Session]) -> int:
    """Delete `sessions` and take their time out of the usage statistics; return how many went.

    One statement for the rows and one refresh of the days they touched (no signal per row).
    """
    ids = list(sessions.order_by().values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(_SESSIONS_DELETE, {"ids": ids})
        deleted = cursor.fetchall()
    _session_days_refresh(deleted)
    return len(deleted)


def _session_days_refresh(footprints: Iterable[SessionFootprint]) -> None:
    usage_days_refresh(
        keys=[
            (profile_id, day)
            for profile_id, started_at, ended_at in footprints
            for day in session_days(started_at=started_at, ended_at=ended_at)
        ]
    )


def command_history_changed(*, footprints: Iterable[HistoryFootprint | None]) -> None:
    """Refresh command_categories of the days of these (profile_id, timestamp) footprints."""
    usage_days_refresh(keys=[(pid, _counted_day(moment)) for pid, moment in filter(None, footprints) if pid and moment])


# The columns activity_record_many accepts, in COPY order. id, timestamp, status and
# metadata get their database default when missing (timestamp: the transaction's now()).
BULK_COLUMNS = (
    "id", "timestamp", "status", "metadata", "profile_id", "command_text", "transcription_confidence",
    "response_text", "response_audio_url", "processing_time_ms", "whisper_time_ms", "n8n_time_ms",
    "tts_time_ms", "error_message", "n8n_webhook_url", "parent_command_id",
)  # fmt: skip


@transaction.atomic
def activity_record_many(*, rows: list[dict[str, Any]]) -> int:
    """Record a batch of commands: one COPY into activity_logs, then one refresh of every touched day.

    `rows` are dicts of activity_logs column names (profile_id, timestamp, command_text,
    status, ...); a missing or None value gets the column's database default. No per-row
    signals run; everything happens in one transaction, so a bad row leaves nothing
    behind (ValidationError naming the row). Returns the number of rows.
    """
    if not rows:
        return 0
    unknown = set().union(*rows) - set(BULK_COLUMNS)
    if unknown:
        raise ValidationError(
            f"Activity rows have no column {', '.join(sorted(unknown))}; the columns are {', '.join(BULK_COLUMNS)}."
        )
    statuses = set(CommandStatus.values)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        now = cursor.fetchone()[0]
    zone = family_zone()
    profile_days, session_ids = set(), set()
    columns = BULK_COLUMNS[4:]
    with (
        connection.connection.cursor() as raw,
        raw.copy(f"COPY activity_logs ({', '.join(BULK_COLUMNS)}) FROM STDIN") as copy,
    ):
        for number, row in enumerate(rows):
            status = row.get("status") or CommandStatus.PENDING
            if status not in statuses:
                raise ValidationError(
                    f"Row {number} has the status {status!r}; a status is one of {', '.join(CommandStatus.values)}."
                )
            if not row.get("command_text"):
                raise ValidationError(f"Row {number} has no command_text; every command needs one.")
            timestamp = row.get("timestamp") or now
            metadata = row.get("metadata") or {}
            if row.get("profile_id"):
                profile_days.add((row["profile_id"], _counted_day(timestamp, zone)))
            if "session_id" in metadata:
                session_ids.add(session_id_of(metadata))
            copy.write_row(
                [row.get("id") or uuid.uuid4(), timestamp, status, json.dumps(metadata)]
                + [row.get(name) for name in columns]
            )
    usage_days_refresh(keys=profile_days)
    profiles_last_active_refresh(profile_ids=[pid for pid, _ in profile_days])
    sessions_counters_refresh(session_ids=session_ids)
    return len(rows)


def usage_statistics_rebuild(
    *,
    since: date | None = None,
    until: date | None = None,
    profile_ids: list[uuid.UUID] | None = None,
    chunk_days: int = 31,
    progress: Callable[[str], None] | None = None,
) -> RefreshResult:
    """Recompute usage statistics, last_active_at and session counters exactly from the source rows.

    For rows written behind the application's back (plain SQL, COPY). Idempotent:
    a second run changes nothing. Works through the days in chunks of `chunk_days`,
    each in its own transaction, reporting each chunk to `progress`.
    """
    first, last = _activity_day_range()
    since, until = since or first, until or last
    total = RefreshResult()
    if since is None or until is None:
        return total
    with_profiles = profile_ids is not None
    keys_sql = sql.keys_from_range_sql(with_profiles=with_profiles)
    # Every member's days: one pass over the range's rows; some members' days: their own index ranges.
    refresh_sql = sql.refresh_days_sql(keys_sql, by_range=not with_profiles)
    chunk_start = _next_data_day(since)
    while chunk_start is not None and chunk_start <= until:
        chunk_end = min(until, chunk_start + timedelta(days=chunk_days - 1))
        params = {"since": chunk_start, "until": chunk_end, "tz": zone_name(), "profile_ids": profile_ids}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT profile_id FROM ({keys_sql}) AS k", params)
            _lock_profiles(cursor, [row[0] for row in cursor.fetchall()])
            cursor.execute(refresh_sql, params)
            total = total + RefreshResult(*cursor.fetchone())
        if progress:
            progress(f"{chunk_start} .. {chunk_end}: {total.changed} statistics rows changed so far")
        # Days with nothing on them are skipped: a stray row from a clock years off costs one chunk, not
        # a walk over every month between it and the rest.
        if chunk_end >= until:
            break
        chunk_start = _next_data_day(chunk_end + timedelta(days=1))
    params = {"since": since, "until": until, "tz": zone_name(), "profile_ids": profile_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.last_active_sql(sql.profiles_in_scope_sql(with_profiles=with_profiles)), params)
        cursor.execute(sql.session_counters_sql(sql.sessions_in_range_sql(with_profiles=with_profiles)), params)
    return total


_NEXT_DATA_DAY = """
WITH bound AS (SELECT (%(day)s::date::timestamp AT TIME ZONE %(tz)s) AS start)
SELECT (least(
    (SELECT min(a.timestamp) FROM activity_logs a, bound WHERE a.timestamp >= bound.start),
    (SELECT min(s.started_at) FROM sessions s, bound WHERE s.started_at >= bound.start),
    -- a session running over the start (short ones began within a day before it; long ones are few)
    (SELECT bound.start FROM bound WHERE EXISTS (
         SELECT 1 FROM sessions s WHERE s.started_at >= bound.start - interval '1 day'
            AND s.started_at < bound.start AND s.ended_at >= bound.start)
      OR EXISTS (SELECT 1 FROM sessions s WHERE s.duration_seconds >= 86400 AND s.ended_at >= bound.start
            AND s.started_at < bound.start)),
    (SELECT min(u.date)::timestamp AT TIME ZONE %(tz)s FROM usage_statistics u WHERE u.date >= %(day)s),
    (%(beyond)s::date::timestamp AT TIME ZONE %(tz)s)  -- no day past the years moments may lie in
) AT TIME ZONE %(tz)s)::date
"""


def _next_data_day(day: date) -> date | None:
    """The first local day from `day` on with activity, session time or statistics, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_DATA_DAY, {"day": day, "tz": zone_name(), "beyond": date(LAST_YEAR + 1, 1, 1)})
        found = cursor.fetchone()[0]
    return None if found is None or found.year > LAST_YEAR else max(found, day)


_DAY_RANGE = """
WITH bound AS (SELECT (%(low)s::date::timestamp AT TIME ZONE %(tz)s) AS low,
                      ((%(high)s::date + 1)::timestamp AT TIME ZONE %(tz)s) AS high)
SELECT (least(
           (SELECT min(a.timestamp) FROM activity_logs a, bound WHERE a.timestamp >= low AND a.timestamp < high),
           (SELECT min(s.started_at) FROM sessions s, bound WHERE s.started_at >= low AND s.started_at < high)
       ) AT TIME ZONE %(tz)s)::date,
       (greatest(
           (SELECT max(a.timestamp) FROM activity_logs a, bound WHERE a.timestamp >= low AND a.timestamp < high),
           (SELECT max(s.ended_at) FROM sessions s, bound WHERE s.ended_at >= low AND s.ended_at < high)
       ) AT TIME ZONE %(tz)s)::date,
       (SELECT min(date) FROM usage_statistics WHERE date BETWEEN %(low)s AND %(high)s),
       (SELECT max(date) FROM usage_statistics WHERE date BETWEEN %(low)s AND %(high)s)
"""


def _activity_day_range() -> tuple[date | None, date | None]:
    """First and last local day that has activity, session time or statistics, within the years
    moments may lie in (tonnysite.safe_input): a row from a clock off by centuries is not a day to count."""
    low, high = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
    with connection.cursor() as cursor:
        cursor.execute(_DAY_RANGE, {"low": low, "high": high, "tz": zone_name()})
        first_moment, last_moment, first_stat, last_stat = cursor.fetchone()
    firsts = [d for d in (first_moment, first_stat) if d]
    lasts = [d for d in (last_moment, last_stat) if d]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)
