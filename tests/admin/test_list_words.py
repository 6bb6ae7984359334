"""The lists a parent reads speak in words: headings without column names, seconds and minutes, not ms."""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.test import Client
from django.utils import timezone

from activity.models import UsageStatistic
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db


def test_the_activity_list_says_how_long_tonny_took_in_seconds(client_as, family):
    ActivityLogFactory(profile=family["kid"], timestamp=timezone.now(), processing_time_ms=1840, whisper_time_ms=420,
                       n8n_time_ms=75_000, tts_time_ms=None, transcription_confidence="0.93")  # fmt: skip

    text = client_as("admin").get(url("activity.activitylog", "changelist")).text

    for heading in ("Answered in", "Understanding it (Whisper)", "Doing it (n8n)", "Heard right"):
        assert heading in text
    assert "1.8 s" in text and "0.4 s" in text and "1 min 15 s" in text and "93 %" in text
    assert "time ms" not in text.lower()


def test_the_daily_usage_list_says_minutes_not_seconds(client_as, family):
    UsageStatistic.objects.filter(profile=family["kid"]).delete()
    UsageStatistic.objects.create(profile=family["kid"], date=date(2026, 11, 20), command_count=3,
                                  total_duration_seconds=5400, peak_usage_hour=7)  # fmt: skip

    text = client_as("admin").get(url("activity.usagestatistic", "changelist")).text

    assert "Minutes used" in text and ">90<" in text and "07:00" in text
    assert "duration seconds" not in text.lower()


# What a database calls a column, never a heading a parent reads.
COLUMN_WORDS = re.compile(
    r"\bms\b|seconds|percentile|bcrypt|\bcount\b|\bis |\bid\b|\bn8n status\b|permission level|\baxes\b|"
    r"access attempt|profile|_",
    re.IGNORECASE,
)


def column_headings(html: str) -> list[str]:
    """The headings of the page's result list (not the sidebar's hidden table headings)."""
    table = html.split('id="result_list"')[1].split("</thead>")[0] if 'id="result_list"' in html else ""
    cells = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


# django-axes' lists are empty here (no failed sign-in), so they show no headings to read.
LISTS = sorted(f"{model._meta.label_lower}" for model in admin.site._registry if model._meta.app_label != "axes")


@pytest.mark.parametrize("model", LISTS)
def test_every_list_a_parent_opens_has_headings_in_words(client_as, rows, model):
    html = client_as("admin").get(url(model, "changelist")).text

    headings = column_headings(html)
    assert headings, f"{model}: no result list"
    assert [heading for heading in headings if COLUMN_WORDS.search(heading)] == []


def test_the_activity_page_says_how_long_tonny_took_in_seconds(client_as, family):
    log = ActivityLogFactory(profile=family["kid"], processing_time_ms=1840, whisper_time_ms=420)

    text = client_as("admin").get(url("activity.activitylog", "change", log.pk)).text

    assert "How long Tonny took" in text and "1.8 s" in text and "0.4 s" in text
    assert "time ms" not in text.lower() and "Timings (ms)" not in text


def test_the_dashboards_timings_say_usually_and_slowest_1_in_20(client_as, family):
    for whisper_ms in (300, 400, 2000):
        ActivityLogFactory(profile=family["kid"], timestamp=timezone.now(), whisper_time_ms=whisper_ms)

    text = client_as("admin").get("/admin/dashboard/").text

    assert "Whisper (speech to text): usually" in text and "slowest 1 in 20" in text
    assert "percentile" not in text


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# What a database calls a field, never a label a parent reads on a record's page ("Timestamp", "Created at").
LABEL_WORDS = re.compile(
    r"\bms\b|\btime ms\b|timestamp|created at|updated at|started at|ended at|resolved at|\bis \w|\bid\b|"
    r"payload|metadata|webhook url|status code|permission level|_",
    re.IGNORECASE,
)


def heading(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html.split("<h1")[1].split(">", 1)[1].split("</h1>")[0]).split())


def record_heading(html: str) -> str:
    """What a record's page is about: the line under its title."""
    return " ".join(
        re.sub(
            r"<[^>]+>", " ", html.split('id="content"')[1].split("<h2")[1].split(">", 1)[1].split("</h2>")[0]
        ).split()
    )


def visible_labels(html: str) -> list[str]:
    """The labels of a record's page, outside a closed "Details" box (a parent need not open it)."""
    content = html.split('id="content-main"')[1] if 'id="content-main"' in html else html
    content = re.sub(r'<fieldset class="[^"]*collapse.*?</fieldset>', "", content, flags=re.S)
    content = re.sub(r"<details.*?</details>", "", content, flags=re.S)
    return [
        " ".join(re.sub(r"<[^>]+>", " ", label).split())
        for label in re.findall(r"<label[^>]*>(.*?)</label>", content, re.S)
    ]


@pytest.mark.parametrize("model", sorted(f"{model._meta.label_lower}" for model in admin.site._registry))
def test_every_list_is_titled_by_what_it_lists(client_as, rows, model):
    title = heading(client_as("admin").get(url(model, "changelist")).text)

    assert not title.startswith("Select"), title
    assert not COLUMN_WORDS.search(title.replace("(24 h)", "")), title


def test_sign_in_attempts_are_listed_in_words(client_as, family):
    Client().post("/admin/login/", {"username": "kid", "password": "wrong"})

    text = client_as("admin").get("/admin/axes/accessattempt/").text

    assert heading(text) == "Sign-in attempts"
    assert column_headings(text)[1:] == ["When", "Login typed", "Failed tries", "From (IP address)", "Browser", "Page"]


@pytest.mark.parametrize(
    "table", ["activitylog", "commandhistory", "session", "usagestatistic", "systemevent", "notification"]
)
def test_every_record_page_is_headed_and_labelled_in_words(client_as, rows, table):
    row = rows["kid"][table]
    app = "telemetry" if table in ("systemevent", "notification") else "activity"

    html = client_as("admin").get(url(f"{app}.{table}", "change", row.pk)).text

    assert not UUID.search(record_heading(html)), record_heading(html)
    assert [label for label in visible_labels(html) if LABEL_WORDS.search(label)] == []


def test_a_days_usage_is_headed_by_the_member_and_the_day(client_as, rows, family):
    statistic = rows["kid"]["usagestatistic"]

    html = client_as("admin").get(url("activity.usagestatistic", "change", statistic.pk)).text

    assert record_heading(html).startswith(f"{family['kid'].name}, ")


def test_what_was_sent_to_n8n_is_shown_as_labelled_fields_under_details(client_as, family):
    entry = CommandHistoryFactory(profile=family["kid"], n8n_request_payload={"room": "kitchen", "level": 3})

    html = client_as("admin").get(url("activity.commandhistory", "change", entry.pk)).text

    details = html.split("What was sent to n8n")[1].split("</table>")[0]
    assert "Room" in details and "kitchen" in details and "{" not in details


def test_the_lists_and_the_dashboard_name_members_in_their_addresses(client_as, family):
    ActivityLogFactory(profile=family["kid"], timestamp=timezone.now(), command_text="kid's command")
    ActivityLogFactory(profile=family["user"], timestamp=timezone.now(), command_text="user's command")

    listed = client_as("admin").get(url("activity.activitylog", "changelist"), {"profile": family["kid"].name}).text
    dashboard = client_as("admin").get("/admin/dashboard/", {"member": family["kid"].name, "range": "today"}).text

    assert "kid&#x27;s command" in listed and "user&#x27;s command" not in listed
    assert f"Dashboard: {family['kid'].name}" in dashboard
    # Every link from the dashboard to a list names the member; only Django's own record pages keep an id.
    assert re.search(r"[?&;]profile=Kid(\+|%20)Member", dashboard)
    assert not re.search(r"[?&;](member|profile)=[0-9a-f]{8}-", dashboard)


def test_a_name_that_is_no_member_is_a_clear_400(client_as, family):
    response = client_as("kid").get(url("activity.activitylog", "changelist"), {"profile": family["user"].name})

    assert response.status_code == 400
    assert "is not a family member this login can see" in response.text


def test_a_new_members_page_offers_no_parental_controls_link_before_it_is_saved(client_as, family):
    html = client_as("admin").get(url("profiles.userprofile", "add")).text

    assert "parental-controls/" not in html
    assert "once it is saved" in html
