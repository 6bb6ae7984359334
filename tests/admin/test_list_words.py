"""The lists a parent reads speak in words: headings without column names, seconds and minutes, not ms."""

from datetime import date

import pytest
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
