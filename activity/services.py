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
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from activity import statistics_sql as sql
from activity.models import CommandStatus
from activity.selectors import ActivityFootprint, session_id_of

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


def family_zone() -> ZoneInfo:
    """The family's time zone (settings.TIME_ZONE): statistics count its local days."""
    return ZoneInfo(settings.TIME_ZONE)


def local_day(*, moment: datetime) -> date:
    """The family's local calendar day of `moment`."""
    return moment.astimezone(family_zone()).date()


def _lock_profiles(cursor: CursorWrapper, profile_ids: Iterable[uuid.UUID]) -> None:
    cursor.execute(sql.LOCK_PROFILES, {"profile_ids": list(profile_ids)})


def usage_days_refresh(*, keys: Iterable[ProfileDay]) -> RefreshResult:
    """Bring the usage_statistics rows of these (profile, local day) pairs to the exact truth."""
    keys = {(profile_id, day) for profile_id, day in keys if profile_id is not None}
    if not keys:
        return RefreshResult()
    profile_ids = [profile_id for profile_id, _ in keys]
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_profiles(cursor, profile_ids)
        cursor.execute(
            sql.refresh_days_sql(sql.KEYS_FROM_ARRAYS),
            {"profile_ids": profile_ids, "days": [day for _, day in keys], "tz": settings.TIME_ZONE},
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
        keys=[(fp.profile_id, local_day(moment=fp.timestamp)) for fp in footprints if fp.profile_id and fp.timestamp]
    )
    profiles_last_active_refresh(profile_ids=[fp.profile_id for fp in footprints])
    sessions_counters_refresh(session_ids=[fp.session_id for fp in footprints])


def session_days(*, started_at: datetime | None, ended_at: datetime | None) -> list[date]:
    """The local days a session's time falls on (none while it is open)."""
    if started_at is None or ended_at is None or ended_at < started_at:
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


def command_history_changed(*, footprints: Iterable[HistoryFootprint | None]) -> None:
    """Refresh command_categories of the days of these (profile_id, timestamp) footprints."""
    usage_days_refresh(
        keys=[(pid, local_day(moment=moment)) for pid, moment in filter(None, footprints) if pid and moment]
    )


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
                profile_days.add((row["profile_id"], timestamp.astimezone(zone).date()))
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
    refresh_sql = sql.refresh_days_sql(keys_sql)
    chunk_start = since
    while chunk_start <= until:
        chunk_end = min(until, chunk_start + timedelta(days=chunk_days - 1))
        params = {"since": chunk_start, "until": chunk_end, "tz": settings.TIME_ZONE, "profile_ids": profile_ids}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT profile_id FROM ({keys_sql}) AS k", params)
            _lock_profiles(cursor, [row[0] for row in cursor.fetchall()])
            cursor.execute(refresh_sql, params)
            total = total + RefreshResult(*cursor.fetchone())
        if progress:
            progress(f"{chunk_start} .. {chunk_end}: {total.changed} statistics rows changed so far")
        chunk_start = chunk_end + timedelta(days=1)
    params = {"since": since, "until": until, "tz": settings.TIME_ZONE, "profile_ids": profile_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql.last_active_sql(sql.profiles_in_scope_sql(with_profiles=with_profiles)), params)
        cursor.execute(sql.session_counters_sql(sql.sessions_in_range_sql(with_profiles=with_profiles)), params)
    return total


def _activity_day_range() -> tuple[date | None, date | None]:
    """First and last local day that has activity, session time or statistics."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT least((SELECT min(timestamp) FROM activity_logs), (SELECT min(started_at) FROM sessions)),
                      greatest((SELECT max(timestamp) FROM activity_logs), (SELECT max(ended_at) FROM sessions)),
                      (SELECT min(date) FROM usage_statistics), (SELECT max(date) FROM usage_statistics)"""
        )
        first_moment, last_moment, first_stat, last_stat = cursor.fetchone()
    firsts = [d for d in (first_moment and local_day(moment=first_moment), first_stat) if d]
    lasts = [d for d in (last_moment and local_day(moment=last_moment), last_stat) if d]
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)
