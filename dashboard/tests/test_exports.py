"""The dashboard's usage exports: columns, the family's zone, local-midnight boundaries, formula
scoping by role, no sensitive data, and usage.csv's figures for a hand-built day (formula defusing:
test_export_defusing.py)."""

from __future__ import annotations

import os
import tracemalloc
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from activity.models import UsageStatistic
from activity.tests.factories import ActivityLogFactory
from dashboard import exports
from dashboard.ranges import DashboardQuery, DayRange
from dashboard.tests.helpers import ACTIVITY_URL, BERLIN, USAGE_URL, as_dicts, client_as, download, local
from profiles.services import pin_set
from telemetry.tests.factories import SettingFactory

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------------
# Columns, file names, content type


def test_activity_csv_has_the_documented_columns_in_order(family):
    ActivityLogFactory(profile=family["kid"], timestamp=local(2026, 11, 20, 18, 0))

    response, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert table[0] == [header for header, _, _ in exports.ACTIVITY_COLUMNS]
    assert table[0] == [
        "time", "member", "command", "status", "processing ms", "whisper ms", "n8n ms", "tts ms", "confidence",
        "device", "error type", "error message",
    ]  # fmt: skip
    assert table[1][1:] == [
        "Kid Member", table[1][2], "success", "850", "300", "400", "150", "0.93", "default_mic", "", "",
    ]  # fmt: skip


def test_usage_csv_has_the_documented_columns_in_order(family):
    _, table = download(client_as("admin"), USAGE_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert table[0] == list(exports.USAGE_COLUMNS)
    assert table[0] == [
        "date", "member", "role", "minutes used", "limit minutes", "over limit", "commands", "successes", "failures",
        "timeouts", "success rate %", "average confidence", "median processing ms", "p95 processing ms",
        "peak hour", "top device", "top command category",
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "kind"), [(USAGE_URL, "usage"), (ACTIVITY_URL, "activity")])
def test_export_is_a_streamed_utf8_csv_named_by_range_and_zone(family, name, kind):
    response = client_as("admin").get(reverse(name), {"from": "2026-11-20", "to": "2026-11-26"})

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"{kind}_2026-11-20_to_2026-11-26_Europe-Berlin.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_activity_csv_is_utf8(family):
    ActivityLogFactory(
        profile=family["kid"], timestamp=local(2026, 11, 20, 9, 0), command_text="Spiel Musik für Jürgen ♫"
    )

    response = client_as("admin").get(reverse(ACTIVITY_URL), {"from": "2026-11-20", "to": "2026-11-20"})

    assert "Spiel Musik für Jürgen ♫".encode() in b"".join(response.streaming_content)


# ---------------------------------------------------------------------------------------------
# The family's zone and local midnight


def test_activity_times_are_local_with_the_offset_of_each_instant_on_a_dst_day(family):
    # Sunday 25 October 2026 in Berlin: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
    for text, utc in [("first", "00:30"), ("second", "01:30"), ("evening", "20:15:30.250")]:
        ActivityLogFactory(
            profile=family["kid"], command_text=text, timestamp=datetime.fromisoformat(f"2026-10-25T{utc}Z")
        )

    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-10-25", "to": "2026-10-25"})

    assert [(row["time"], row["command"]) for row in as_dicts(table)] == [
        ("2026-10-25T02:30:00.000+02:00", "first"),
        ("2026-10-25T02:30:00.000+01:00", "second"),
        ("2026-10-25T21:15:30.250+01:00", "evening"),
    ]


def test_activity_times_agree_with_python_in_a_zone_west_of_utc(family, settings):
    settings.TIME_ZONE = "America/St_Johns"  # -03:30 in summer, -02:30 under DST
    moment = datetime.fromisoformat("2026-07-01T12:00:00.123Z")
    ActivityLogFactory(profile=family["kid"], timestamp=moment)

    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-07-01", "to": "2026-07-01"})

    expected = moment.astimezone(ZoneInfo("America/St_Johns"))
    assert datetime.fromisoformat(table[1][0]) == expected
    assert table[1][0].endswith("-02:30")


def test_one_day_range_runs_from_local_midnight_to_the_next(family):
    for text, moment in [
        ("before", local(2026, 11, 19, 23, 59, 59, 999999)),
        ("first", local(2026, 11, 20, 0, 0)),
        ("last", local(2026, 11, 20, 23, 59, 59)),
        ("after", local(2026, 11, 21, 0, 0)),
    ]:
        ActivityLogFactory(profile=family["kid"], command_text=text, timestamp=moment)

    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert [row["command"] for row in as_dicts(table)] == ["first", "last"]


def test_activity_is_ordered_by_time(family):
    for hour in (15, 9, 21, 12):
        ActivityLogFactory(profile=family["kid"], command_text=f"at {hour}", timestamp=local(2026, 11, 20, hour))

    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert [row["command"] for row in as_dicts(table)] == ["at 9", "at 12", "at 15", "at 21"]


def test_export_leaves_the_connection_in_utc(family):
    ActivityLogFactory(profile=family["kid"], timestamp=local(2026, 11, 20, 9, 0))

    download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "UTC"


# ---------------------------------------------------------------------------------------------
# Scoping and sensitive data


@pytest.fixture
def day_of_everyone(family):
    for role in ("admin", "user", "kid", "other"):
        ActivityLogFactory(profile=family[role], timestamp=local(2026, 11, 20, 9, 0), command_text=f"said by {role}")
    return family


def test_family_admin_exports_every_member(day_of_everyone):
    _, table = download(client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert sorted(row["command"] for row in as_dicts(table)) == [
        "said by admin",
        "said by kid",
        "said by other",
        "said by user",
    ]


def test_family_admin_exports_the_chosen_member_only(day_of_everyone):
    family = day_of_everyone
    _, table = download(
        client_as("admin"), ACTIVITY_URL, **{"from": "2026-11-20", "to": "2026-11-20", "member": family["other"].name}
    )

    assert [row["command"] for row in as_dicts(table)] == ["said by other"]


@pytest.mark.parametrize("name", [ACTIVITY_URL, USAGE_URL])
def test_kid_exports_only_their_own_rows(day_of_everyone, name):
    _, table = download(client_as("kid"), name, **{"from": "2026-11-20", "to": "2026-11-20"})

    assert {row["member"] for row in as_dicts(table)} == {"Kid Member"}
    assert len(table) == 2


@pytest.mark.parametrize("name", [ACTIVITY_URL, USAGE_URL])
def test_kid_asking_for_another_member_gets_a_403_saying_why_without_their_rows(day_of_everyone, name):
    family = day_of_everyone
    response = client_as("kid").get(
        reverse(name), {"from": "2026-11-20", "to": "2026-11-20", "member": family["other"].name}
    )

    assert response.status_code == 403
    assert "Only a family admin sees another member" in response.text
    assert not isinstance(response, StreamingHttpResponse)
    assert "Other Member" not in response.text
    assert "said by other" not in response.text


@pytest.mark.parametrize("name", [ACTIVITY_URL, USAGE_URL])
def test_guest_gets_no_export(day_of_everyone, name):
    response = client_as("guest").get(reverse(name), {"from": "2026-11-20", "to": "2026-11-20"})

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not isinstance(response, StreamingHttpResponse)


@pytest.mark.parametrize("name", [ACTIVITY_URL, USAGE_URL])
def test_anonymous_gets_no_export(day_of_everyone, name):
    response = Client().get(reverse(name), {"from": "2026-11-20", "to": "2026-11-20"})

    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("name", [ACTIVITY_URL, USAGE_URL])
def test_bad_range_is_a_400(family, name):
    response = client_as("admin").get(reverse(name), {"from": "2026-11-21", "to": "2026-11-20"})

    assert response.status_code == 400


@pytest.mark.parametrize("name", [ACTIVITY_URL, USAGE_URL])
def test_no_pin_hash_and_no_sensitive_setting_in_an_export(family, name):
    pin_set(profile=family["kid"], pin="4711")
    family["kid"].refresh_from_db()
    secret = SettingFactory(key="n8n.api_key", value="sk-very-secret-value", is_sensitive=True)
    ActivityLogFactory(
        profile=family["kid"],
        timestamp=local(2026, 11, 20, 9, 0),
        response_text="the reply the assistant spoke",
        metadata={"device": "kitchen", "api_key": secret.value, "pin": family["kid"].pin_hash},
        n8n_webhook_url="https://n8n.example/webhook/sk-very-secret-value",
    )

    response = client_as("admin").get(reverse(name), {"from": "2026-11-20", "to": "2026-11-20"})
    text = b"".join(response.streaming_content).decode()

    assert family["kid"].pin_hash not in text
    assert "sk-very-secret-value" not in text
    assert "n8n.example" not in text


# ---------------------------------------------------------------------------------------------
# usage.csv's figures


def test_usage_csv_figures_of_a_hand_built_day(family):
    kid = family["kid"]
    kid.usage_limits = {"daily_limit_minutes": 60, "weekend_limit": 120}
    kid.save(update_fields=["usage_limits"])
    UsageStatistic.objects.create(
        profile=kid,
        date=date(2026, 11, 20),  # a Friday: a school day, so the daily limit applies
        command_count=50,
        success_count=45,
        failure_count=5,
        timeout_count=2,
        total_duration_seconds=5430,  # 90.5 minutes
        average_confidence=Decimal("0.87"),
        peak_usage_hour=18,
        device_breakdown={"kitchen": 20, "bedroom": 20, "living_room": 10},
        command_categories={"music": 30, "lights": 20},
        timings={"processing": {"count": 50, "sum": 50000, "p50": 812, "p95": 2104, "histogram": {}}},
    )

    _, table = download(client_as("admin"), USAGE_URL, **{"from": "2026-11-20", "to": "2026-11-21", "member": kid.name})

    assert table[1:] == [
        [
            "2026-11-20", "Kid Member", "Kid", "90.5", "60", "yes", "50", "45", "5", "2", "90.0", "0.87",
            "812", "2104", "18:00–19:00", "bedroom", "music",
        ],
        # Saturday: quiet, and the weekend limit applies.
        ["2026-11-21", "Kid Member", "Kid", "0.0", "120", "no", "0", "0", "0", "0", "", "", "", "", "", "", ""],
    ]  # fmt: skip


def test_usage_csv_has_a_row_per_member_per_day_and_no_limit_is_never_over(family):
    UsageStatistic.objects.create(profile=family["user"], date=date(2026, 11, 20), total_duration_seconds=86_000)

    _, table = download(client_as("admin"), USAGE_URL, **{"from": "2026-11-19", "to": "2026-11-21"})
    rows = as_dicts(table)

    members = ["Admin Member", "Guest Member", "Kid Member", "Other Member", "User Member"]
    assert [(row["date"], row["member"]) for row in rows] == [
        (day, member) for day in ("2026-11-19", "2026-11-20", "2026-11-21") for member in members
    ]
    busy = next(row for row in rows if row["member"] == "User Member" and row["date"] == "2026-11-20")
    assert (busy["minutes used"], busy["limit minutes"], busy["over limit"]) == ("1433.3", "", "no")


def test_usage_csv_counts_the_day_of_the_commands(family):
    ActivityLogFactory(profile=family["kid"], timestamp=local(2026, 11, 20, 23, 59, 59), status="success")
    ActivityLogFactory(profile=family["kid"], timestamp=local(2026, 11, 21, 0, 0), status="timeout")

    _, table = download(
        client_as("admin"), USAGE_URL, **{"from": "2026-11-20", "to": "2026-11-21", "member": family["kid"].name}
    )

    assert [(row["date"], row["commands"], row["successes"], row["timeouts"]) for row in as_dicts(table)] == [
        ("2026-11-20", "1", "1", "0"),
        ("2026-11-21", "1", "0", "1"),
    ]


# ---------------------------------------------------------------------------------------------
# The plan


def test_activity_rows_are_read_by_an_index_range_scan(family):
    """With the table too small for the planner to care, forbid the sequential and bitmap scans and
    check that the range's bounds are an index condition (the bench checks the plan at scale)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "EXPLAIN " + exports.activity_rows_sql(),
            {"member_ids": [family["kid"].pk], "start": local(2026, 11, 20), "end": local(2026, 11, 21)},
        )
        plan = [line for (line,) in cursor.fetchall()]

    scan = next(index for index, line in enumerate(plan) if "Index" in line and "on activity_logs a" in line)
    condition = plan[scan + 1]
    assert "Index Cond" in condition
    assert '"timestamp" >=' in condition and '"timestamp" <' in condition


def test_export_dropped_half_way_cancels_the_copy_and_leaves_the_connection_clean(family):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO activity_logs (profile_id, "timestamp", command_text, status)
            SELECT %(kid)s, %(start)s + n * interval '1 second', 'play some music, number ' || n, 'success'
            FROM generate_series(1, 20000) AS n
            """,
            {"kid": family["kid"].pk, "start": local(2026, 11, 20)},
        )
    days = DayRange(date(2026, 11, 20), date(2026, 11, 20), "custom", BERLIN)
    response = exports.activity_csv_response(
        query=DashboardQuery(days=days, member=None, members=[family["kid"]], sees_every_profile=True, form=None)
    )
    chunks = iter(response)
    assert next(chunks).startswith(b"time,member,command")
    savepoints = list(connection.savepoint_ids)

    # What the server does when the client goes away; keep the test's connection open instead of
    # closing it as at the end of a request.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)

    assert connection.savepoint_ids == savepoints[:-1]  # the export's transaction is rolled back
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('TimeZone'), count(*) FROM activity_logs")
        assert cursor.fetchone() == ("UTC", 20000)


# ---------------------------------------------------------------------------------------------
# Constant memory


MANY_ROWS = 200_000


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
def test_activity_export_streams_many_rows_in_constant_memory(family):
    """200,000 rows (about 30 MB of CSV) go through while the Python heap grows by less than 4 MB
    and the process by less than 20 MB: an export that loaded the rows would hold them all."""
    with connection.cursor() as cursor:
        # Plain SQL: no signals, so no statistics to refresh; a day of commands, 0.4 s apart.
        cursor.execute(
            """
            INSERT INTO activity_logs (id, profile_id, "timestamp", command_text, status, processing_time_ms,
                                       whisper_time_ms, n8n_time_ms, tts_time_ms, transcription_confidence,
                                       response_text, metadata, error_message)
            SELECT gen_random_uuid(), %(kid)s, %(start)s + n * interval '400 milliseconds',
                   'turn on the kitchen lights and play some quiet music, number ' || n, 'success',
                   800 + n %% 400, 300, 400, 100, 0.93, 'Done.', '{"device": "kitchen_speaker"}', NULL
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"kid": family["kid"].pk, "start": local(2026, 11, 20), "rows": MANY_ROWS},
        )
    response = client_as("admin").get(reverse(ACTIVITY_URL), {"from": "2026-11-20", "to": "2026-11-20"})

    tracemalloc.start()
    rss_before = rss_peak = rss_bytes()
    lines = size = 0
    try:
        for chunk in response.streaming_content:
            lines += chunk.count(b"\n")
            size += len(chunk)
            rss_peak = max(rss_peak, rss_bytes())
        _, heap_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert lines == 1 + MANY_ROWS
    assert size > 25 * 2**20
    assert heap_peak < 4 * 2**20, f"Python heap peaked at {heap_peak / 2**20:.1f} MB"
    assert rss_peak - rss_before < 20 * 2**20, f"RSS grew by {(rss_peak - rss_before) / 2**20:.1f} MB"
