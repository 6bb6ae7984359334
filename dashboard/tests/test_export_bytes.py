"""activity.csv byte for byte: the statement of today against the one it replaced (issue 25: a
cheaper test of a cell's first character), and against Python's own rule (`csv_cell`), on rows
whose every text cell is hostile."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from activity.tests.factories import ActivityLogFactory
from dashboard import exports
from dashboard.ranges import DashboardQuery, DayRange
from dashboard.tests.helpers import ACTIVITY_URL, BERLIN, client_as, download
from profiles.models import UserProfile
from profiles.tests.factories import UserProfileFactory
from tonnysite.familyadmin.export import csv_cell

pytestmark = pytest.mark.django_db

HOSTILE = [
    "=cmd|' /C calc'!A0", "+1", "-1", "@x", "\tcmd", "\rcmd", "=", "-", 'say "hi"', '"=quoted"', "a,b", ",=1",
    "line\nbreak", "\n=1", "crlf\r\nend", "Jürgen spielt ♫", "🙂=", "é", "'already", " =space", "A", "@", "",
    "\\.", "plain words",
]  # fmt: skip

# The statement activity.csv ran before issue 25 (dashboard/exports.py at 4a94c7b), kept as it was.
_OLD_DEFUSED = "CASE WHEN ascii(({0})) IN (61, 43, 45, 64, 9, 13) THEN '''' || ({0}) ELSE ({0}) END"
OLD_ROWS_SQL = f"""
SELECT to_char(a."timestamp", 'YYYY-MM-DD"T"HH24:MI:SS.MSTZH:TZM') AS "time",
       {_OLD_DEFUSED.format("p.name")} AS "member",
       {_OLD_DEFUSED.format("a.command_text")} AS "command",
       a.status AS "status",
       a.processing_time_ms AS "processing ms",
       a.whisper_time_ms AS "whisper ms",
       a.n8n_time_ms AS "n8n ms",
       a.tts_time_ms AS "tts ms",
       a.transcription_confidence AS "confidence",
       {_OLD_DEFUSED.format("a.metadata ->> 'device'")} AS "device",
       {_OLD_DEFUSED.format("a.metadata ->> 'error_type'")} AS "error type",
       {_OLD_DEFUSED.format("a.error_message")} AS "error message"
FROM activity_logs a
JOIN user_profiles p ON p.id = a.profile_id
WHERE a.profile_id = ANY(%(member_ids)s::uuid[])
  AND a."timestamp" >= %(start)s AND a."timestamp" < %(end)s
ORDER BY a."timestamp"
"""


@pytest.fixture
def hostile_day(family):
    """25 October 2026 in Berlin (the 25-hour day): a member per hostile name, a command per hostile
    text in every text column, NULLs and an empty metadata too."""
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 in Berlin on the 25th
    members = [UserProfileFactory(name=f"{text} {n}" if text else f"{n}") for n, text in enumerate(HOSTILE)]
    for n, text in enumerate(HOSTILE):
        ActivityLogFactory(
            profile=members[n],
            timestamp=start + timedelta(hours=n, microseconds=n * 123457),
            command_text=text,
            status="failed",
            metadata={"device": text, "error_type": HOSTILE[-1 - n], "model": "=secret"},
            error_message=text,
            transcription_confidence=None if n % 3 else "0.5",
            whisper_time_ms=None if n % 2 else 7,
        )
    ActivityLogFactory(profile=family["kid"], timestamp=start + timedelta(hours=24, minutes=59), metadata={})
    return members


def _copy(rows_sql: str, query) -> bytes:
    statement = f"COPY ({rows_sql}) TO STDOUT WITH (FORMAT csv, HEADER, ENCODING 'UTF8')"
    days = query.days
    params = {"member_ids": query.member_ids, "start": days.start, "end": days.end}
    return b"".join(exports.activity_copy_chunks(statement, params, zone=days.zone))


def _whole_family_query() -> DashboardQuery:
    days = DayRange(date(2026, 10, 25), date(2026, 10, 25), "custom", BERLIN)
    members = list(UserProfile.objects.order_by("name"))
    return DashboardQuery(days=days, member=None, members=members, sees_every_profile=True, form=None)


def test_activity_csv_is_byte_for_byte_what_the_previous_statement_wrote(hostile_day):
    query = _whole_family_query()

    new, old = _copy(exports.activity_rows_sql(), query), _copy(OLD_ROWS_SQL, query)

    assert len(list(csv.reader(io.StringIO(new.decode())))) == 1 + len(HOSTILE) + 1  # header, hostile rows, the kid's
    assert new == old


def test_activity_csv_through_the_view_holds_what_csv_cell_says_of_each_cell(hostile_day):
    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-10-25", "to": "2026-10-25"})
    rows = {row[2]: row for row in table[1:]}

    for n, text in enumerate(HOSTILE):
        row = rows[csv_cell(text)]
        assert row[1] == csv_cell(hostile_day[n].name)
        assert (row[9], row[10], row[11]) == (csv_cell(text), csv_cell(HOSTILE[-1 - n]), csv_cell(text))
    assert "=secret" not in "".join(cell for row in table for cell in row)


def test_activity_csv_cells_are_quoted_as_postgresql_writes_csv(hostile_day):
    response = client_as("admin").get(
        reverse(ACTIVITY_URL), {"from": "2026-10-25", "to": "2026-10-25", "member": hostile_day[10].name}
    )
    body = b"".join(response.streaming_content).decode()

    # A comma in a cell: quoted, the quotes are PostgreSQL's and vanish when the file is read.
    assert list(csv.reader(io.StringIO(body)))[1][1:3] == ["a,b 10", "a,b"]
    assert ',"a,b 10","a,b",' in body
