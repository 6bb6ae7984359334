"""One way of writing days and times on every page (tonnysite/formats/en/formats.py), in the family's zone."""

import re
from datetime import UTC, datetime, time

import pytest
from django.utils.formats import date_format

from activity.tests.factories import ActivityLogFactory
from profiles.services import family_member_create
from tonnysite.env import BASE_DIR


def test_the_family_formats_win_over_djangos_english_ones():
    moment = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)

    assert date_format(moment, "DATETIME_FORMAT") == "Thu 3 Dec 2026, 14:05"
    assert date_format(moment.date(), "DATE_FORMAT") == "Thu 3 Dec 2026"
    assert date_format(moment, "SHORT_DATETIME_FORMAT") == "Thu 3 Dec, 14:05"
    assert date_format(moment.date(), "SHORT_DATE_FORMAT") == "Thu 3 Dec"
    assert date_format(time(9, 30), "TIME_FORMAT") == "09:30"


# A pattern of its own in a template a parent reads; `|date:'Y-m-d'` fills a date input and stays.
AD_HOC = re.compile(r"""\|date:["'](?!Y-m-d["'])(?![A-Z_]+["'])""")


def test_no_template_writes_a_date_pattern_of_its_own():
    templates = [path for path in BASE_DIR.rglob("templates/**/*.html") if ".venv" not in path.parts]

    offenders = [f"{path.relative_to(BASE_DIR)}" for path in templates if AD_HOC.search(path.read_text())]

    assert templates and offenders == []


@pytest.mark.django_db
def test_a_list_shows_times_in_the_family_format_and_zone(client, settings, django_user_model):
    settings.TIME_ZONE = "Europe/Berlin"
    family_member_create(name="Mum Member", permission_level="admin", username="mum", password="p-9f3c-mum")
    client.force_login(django_user_model.objects.get(username="mum"))
    ActivityLogFactory(timestamp=datetime(2026, 12, 3, 13, 5, tzinfo=UTC), command_text="lights on")

    text = client.get("/admin/activity/activitylog/").text

    assert "Thu 3 Dec 2026, 14:05" in text  # 13:05 UTC is 14:05 in Berlin
    assert "Dec. 3, 2026" not in text
