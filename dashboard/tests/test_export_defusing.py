"""Formula defusing in the usage exports: a cell a spreadsheet would run gets a leading quote, in Python and in SQL."""

from __future__ import annotations

import pytest
from django.db import connection

from activity.tests.factories import ActivityLogFactory
from dashboard import exports
from dashboard.tests.helpers import ACTIVITY_URL, USAGE_URL, as_dicts, client_as, download, local
from profiles.tests.factories import UserProfileFactory
from tonnysite.familyadmin.export import csv_cell

pytestmark = pytest.mark.django_db


FORMULAS = ["=1+1", "+49 30 1234", "-1", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("http://evil.example")']


@pytest.mark.parametrize("text", FORMULAS)
def test_command_a_spreadsheet_would_run_gets_a_leading_quote(family, text):
    ActivityLogFactory(profile=family["kid"], timestamp=local(2026, 11, 20, 9, 0), command_text=text)

    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert table[1][2] == "'" + text


def test_member_name_device_and_error_are_defused(family):
    mallory = UserProfileFactory(name="=cmd|' /C calc'!A0")
    ActivityLogFactory(
        profile=mallory,
        timestamp=local(2026, 11, 20, 9, 0),
        status="failed",
        metadata={"device": "@mic", "error_type": "+oops"},
        error_message="-boom",
    )

    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20"})
    row = as_dicts(table)[0]

    assert (row["member"], row["device"], row["error type"], row["error message"]) == (
        "'=cmd|' /C calc'!A0",
        "'@mic",
        "'+oops",
        "'-boom",
    )


def test_usage_csv_defuses_the_member_name(family):
    UserProfileFactory(name="@Mallory")  # visible to the family admin

    _, table = download(client_as("admin"), USAGE_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert "'@Mallory" in [row["member"] for row in as_dicts(table)]


@pytest.mark.parametrize(
    "text", [*FORMULAS, "", "plain", "'already quoted", " =space first", "é=", "==", "\n=1", "🙂", "-"]
)
def test_sql_defusing_agrees_with_csv_cell(text):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {exports.defused_sql('t')} FROM (SELECT %s::text AS t) AS cell", [text])
        assert cursor.fetchone()[0] == csv_cell(text)


def test_sql_defusing_keeps_null():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {exports.defused_sql('NULL::text')}")
        assert cursor.fetchone()[0] is None
