"""The lists a parent reads speak in words: headings without column names, seconds and minutes, not ms."""

import re
from datetime import date

import pytest
from django.contrib import admin
from django.utils import timezone

from activity.models import UsageStatistic
from activity.tests.factories import ActivityLogFactory
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
