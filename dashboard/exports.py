"""The usage exports of the dashboard, for the range and member(s) of a DashboardQuery.

- usage.csv: a row per member in scope per local day of the range (zeros on quiet days), read
  from usage_statistics. Members × days rows at most, so Python formats them with `csv_cell`.
- activity.csv: every command of the range. It may hold millions of rows, so PostgreSQL formats
  every cell (times in the family's zone with their offset, formula defusing) and streams them
  with `COPY (SELECT …) TO STDOUT`; the response passes the output on in blocks of about 64 KiB,
  so the server holds one block at a time, whatever the size of the file.

Column order and file names are documented in the README ("Usage exports").
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.utils import timezone

from activity.models import UsageStatistic
from dashboard.ranges import DashboardQuery, DayRange
from parental.selectors import rules_in_force
from profiles.models import UserProfile
from tonnysite.familyadmin.export import FORMULA_PREFIXES, csv_streaming_response

USAGE_COLUMNS = (
    "date",
    "member",
    "role",
    "minutes used",
    "limit minutes",
    "over limit",
    "commands",
    "successes",
    "failures",
    "timeouts",
    "success rate %",
    "average confidence",
    "median processing ms",
    "p95 processing ms",
    "peak hour",
    "top device",
    "top command category",
)

# (header, SQL of the cell, defused): the header is quoted as an identifier, so it may hold spaces.
# Text that a member or the tray chose (names, commands, metadata, errors) is defused.
ACTIVITY_COLUMNS = (
    ("time", """to_char(a."timestamp", 'YYYY-MM-DD"T"HH24:MI:SS.MSTZH:TZM')""", False),
    ("member", "p.name", True),
    ("command", "a.command_text", True),
    ("status", "a.status", False),  # one of CommandStatus: nothing to defuse
    ("processing ms", "a.processing_time_ms", False),
    ("whisper ms", "a.whisper_time_ms", False),
    ("n8n ms", "a.n8n_time_ms", False),
    ("tts ms", "a.tts_time_ms", False),
    ("confidence", "a.transcription_confidence", False),
    ("device", "a.metadata ->> 'device'", True),
    ("error type", "a.metadata ->> 'error_type'", True),
    ("error message", "a.error_message", True),
)

# The rows of a range, oldest first, read by an index range scan: activity_logs_time_idx for the
# family (already in time order), activity_logs_profile_time_idx for one member (see bench/export.py).
ACTIVITY_ROWS_SQL = """
SELECT {columns}
FROM activity_logs a
JOIN user_profiles p ON p.id = a.profile_id
WHERE a.profile_id = ANY(%(member_ids)s::uuid[])
  AND a."timestamp" >= %(start)s AND a."timestamp" < %(end)s
ORDER BY a."timestamp"
"""

COPY_CHUNK_BYTES = 64 * 1024


def defused_sql(expression: str) -> str:
    """SQL of `csv_cell`'s rule for text: a leading single quote when the text starts with a
    character a spreadsheet would run as a formula (FORMULA_PREFIXES); NULL stays NULL.

    Every formula prefix sorts before "A" byte by byte, so most text (a letter, or any character
    beyond ASCII, first) is told apart by one comparison in the "C" collation; only text that
    sorts before "A" has its first character compared with the prefixes.
    """
    if any(len(prefix) != 1 or prefix >= "A" for prefix in FORMULA_PREFIXES):
        raise ValueError("defused_sql compares first characters below 'A': every formula prefix must be one.")
    codes = ", ".join(str(ord(prefix)) for prefix in sorted(FORMULA_PREFIXES))
    text = f"({expression})"
    return f"CASE WHEN {text} COLLATE \"C\" < 'A' AND ascii({text}) IN ({codes}) THEN '''' || {text} ELSE {text} END"


def activity_rows_sql() -> str:
    """The SELECT that activity.csv copies out: every cell formatted, headers as column names."""
    columns = [f'{defused_sql(cell) if defused else cell} AS "{header}"' for header, cell, defused in ACTIVITY_COLUMNS]
    return ACTIVITY_ROWS_SQL.format(columns=",\n       ".join(columns))


def export_filename(kind: str, days: DayRange) -> str:
    """e.g. usage_2026-11-20_to_2026-11-26_Europe-Berlin.csv: the range and the zone its days are in."""
    return f"{kind}_{days.first.isoformat()}_to_{days.last.isoformat()}_{days.zone.key.replace('/', '-')}.csv"


# ---------------------------------------------------------------------------------------------
# usage.csv


def usage_csv_response(*, query: DashboardQuery) -> StreamingHttpResponse:
    """usage.csv: a row per member in scope per local day of the range, quiet days included."""
    days = query.days
    statistics = {
        (row.profile_id, row.date): row
        for row in UsageStatistic.objects.filter(
            profile_id__in=query.member_ids, date__gte=days.first, date__lte=days.last
        ).only(
            "profile_id",
            "date",
            "command_count",
            "success_count",
            "failure_count",
            "timeout_count",
            "total_duration_seconds",
            "average_confidence",
            "peak_usage_hour",
            "device_breakdown",
            "command_categories",
            "timings",
        )  # fmt: skip
    }
    # Each day's limit is the one in force that day (parental.rules.in_force), not today's.
    in_force = rules_in_force(members=query.members, since=days.start, now=timezone.now())
    rows = (
        _usage_row(day, member, statistics.get((member.pk, day)), in_force.limit_on(member.pk, day)[0])
        for day in days.days
        for member in query.members
    )
    return csv_streaming_response(export_filename("usage", days), USAGE_COLUMNS, rows)


def _usage_row(day: date, member: UserProfile, statistic: UsageStatistic | None, limit: int | None) -> list:
    statistic = statistic or UsageStatistic(profile=member, date=day)
    seconds = statistic.total_duration_seconds or 0
    successes, failures = statistic.success_count or 0, statistic.failure_count or 0
    processing = (statistic.timings or {}).get("processing") or {}
    return [
        day,
        member.name,
        member.get_permission_level_display(),
        (Decimal(seconds) / 60).quantize(Decimal("0.1")),
        limit,
        "yes" if limit is not None and seconds > limit * 60 else "no",
        statistic.command_count or 0,
        successes,
        failures,
        statistic.timeout_count or 0,
        (Decimal(100 * successes) / (successes + failures)).quantize(Decimal("0.1")) if successes + failures else None,
        statistic.average_confidence,
        processing.get("p50"),
        processing.get("p95"),
        _hour_label(statistic.peak_usage_hour),
        _largest(statistic.device_breakdown),
        _largest(statistic.command_categories),
    ]


def _hour_label(hour: int | None) -> str | None:
    """18 -> "18:00–19:00" (local)."""
    return None if hour is None else f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"


def _largest(counts: dict | None) -> str | None:
    """The key with the largest count; ties go to the first name in alphabetical order."""
    if not counts:
        return None
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


# ---------------------------------------------------------------------------------------------
# activity.csv


def activity_csv_response(*, query: DashboardQuery) -> StreamingHttpResponse:
    """activity.csv: every command of the range by the members in scope, oldest first, copied out by
    PostgreSQL already formatted (see ACTIVITY_COLUMNS)."""
    days = query.days
    statement = f"COPY ({activity_rows_sql()}) TO STDOUT WITH (FORMAT csv, HEADER, ENCODING 'UTF8')"
    params = {"member_ids": query.member_ids, "start": days.start, "end": days.end}
    response = StreamingHttpResponse(
        activity_copy_chunks(statement, params, zone=days.zone), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename("activity", days)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def activity_copy_chunks(statement: str, params: dict, *, zone: ZoneInfo) -> Iterator[bytes]:
    """The output of a COPY ... TO STDOUT in blocks of about COPY_CHUNK_BYTES, read while they are sent.

    The COPY runs in its own transaction (a savepoint inside an outer one) with the session's
    TimeZone set to the family's zone, so to_char() writes local times with the offset of each
    instant (DST days included). When the client goes away the generator is closed: psycopg
    cancels the COPY and the transaction rolls back, which also undoes the TimeZone.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone'), set_config('TimeZone', %s, true)", [zone.key])
        previous_zone = cursor.fetchone()[0]
        chunk = bytearray()
        with cursor.cursor.copy(statement, params) as copy:
            for block in copy:
                chunk += block
                if len(chunk) >= COPY_CHUNK_BYTES:
                    yield bytes(chunk)
                    chunk.clear()
        # Released savepoints keep SET LOCAL until the outer transaction ends: put the zone back.
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [previous_zone])
    if chunk:
        yield bytes(chunk)
