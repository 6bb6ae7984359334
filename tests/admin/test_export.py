"""CSV exports: streamed, safe from spreadsheet formulas, scoped by role."""

import pytest
from django.http import StreamingHttpResponse

from activity.tests.factories import ActivityLogFactory
from tests.admin.helpers import url
from tonnysite.familyadmin.export import csv_cell

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert csv_cell(text) == "'" + text


def test_plain_text_is_left_alone():
    assert csv_cell("turn on the lights") == "turn on the lights"


def test_negative_numbers_stay_numbers():
    assert csv_cell(-5) == -5


def test_usage_export_is_streamed_csv(client_as, rows):
    response = client_as("admin").get(url("activity.usagestatistic", "export"))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]


def test_usage_export_has_a_header_and_one_line_per_row(client_as, rows):
    response = client_as("admin").get(url("activity.usagestatistic", "export"))

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("date,profile name,command count")
    assert len(lines) == 1 + 3


def test_exported_command_that_looks_like_a_formula_is_defused(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text='=HYPERLINK("http://evil.example","click")')

    response = client_as("admin").get(url("activity.activitylog", "export"))

    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


def test_export_view_follows_the_change_list_filters(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text="failed one", status="failed")
    ActivityLogFactory(profile=family["kid"], command_text="fine one", status="success")

    response = client_as("admin").get(url("activity.activitylog", "export"), {"status__exact": "failed"})

    text = b"".join(response.streaming_content).decode()
    assert "failed one" in text
    assert "fine one" not in text


def test_change_list_links_to_the_export_of_what_it_shows(client_as, rows):
    response = client_as("admin").get(
        url("activity.usagestatistic", "changelist"), {"profile": rows["kid"]["usagestatistic"].profile.name}
    )

    assert url("activity.usagestatistic", "export") + "?profile=" in response.text


def test_role_without_the_table_cannot_use_its_export(client_as, rows):
    response = client_as("kid").get(url("telemetry.setting", "export"))

    assert response.status_code == 403
