"""A parent opens the dashboard, sees the charts drawn, follows a preset, and downloads both CSVs."""

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from activity.tests.factories import ActivityLogFactory, SessionFactory
from profiles.models import PermissionLevel
from profiles.services import family_member_create
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

PASSWORD = "family-dashboard-pass-3b9e"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def family(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    parent = family_member_create(name="Dad", permission_level=PermissionLevel.ADMIN, username="dad", password=PASSWORD)
    alex = family_member_create(
        name="Alex", permission_level=PermissionLevel.KID, username="alex", password=PASSWORD,
        usage_limits={"daily_limit_minutes": 60, "allowed_hours": [7, 21]},
    )  # fmt: skip
    alex_said = []
    for moment in command_hours():
        for minute, status in ((0, "success"), (5, "success"), (10, "failed"), (15, "timeout")):
            alex_said.append(moment + timedelta(minutes=minute))
            ActivityLogFactory(profile=alex, timestamp=alex_said[-1], status=status)
        ActivityLogFactory(profile=parent, timestamp=moment, command_text="=cmd|' /C calc'!A0")
        SessionFactory(profile=alex, started_at=moment, ended_at=moment + timedelta(minutes=20))
    return {"parent": parent, "alex": alex, "alex_said": alex_said}


def command_hours() -> list[datetime]:
    """Five moments, one a day, two hours before now on each of the last five days (Berlin)."""
    now = datetime.now(BERLIN).replace(minute=0, second=0, microsecond=0)
    return [now - timedelta(days=day, hours=2) for day in range(5)]


def test_a_parent_opens_the_dashboard_sees_charts_and_downloads_both_csvs(page, family):
    admin_sign_in(page, username="dad", password=PASSWORD)
    page.click("#dashboard-link a.section")
    page.wait_for_url("**/admin/dashboard/")

    assert "Europe/Berlin" in page.inner_text(".dashboard-zone")
    assert page.locator("svg.chart").count() == 4
    assert page.locator("svg.chart rect.bar.success").count() >= 5
    assert page.locator("svg.chart rect.bar.failed").count() >= 5
    assert page.locator("table.heatmap td.heat-5").count() >= 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    # The five days of commands lie within the last 7 days whatever the date: "this month" or "this
    # week" would hold fewer of them in the first days of a month or a week.
    page.locator(".presets a", has_text="Yesterday").click()
    assert "Yesterday" in page.inner_text(".dashboard-zone")
    page.locator(".presets a", has_text="Last 7 days").click()
    assert "Last 7 days" in page.inner_text(".dashboard-zone")
    page.fill("#id_member", "Alex")
    page.click(".custom button")
    assert page.inner_text("#site-name") and "Dashboard: Alex" in page.inner_text("#content h1")

    with page.expect_download() as usage_download:
        page.click("text=usage per day (CSV)")
    usage = usage_download.value
    assert "Europe-Berlin" in usage.suggested_filename
    usage_rows = list(csv.reader(io.StringIO(Path(usage.path()).read_text(encoding="utf-8"))))
    assert usage_rows[0][:2] == ["date", "member"] or "date" in usage_rows[0][0].lower()
    assert all("Alex" in row for row in usage_rows[1:] if any(row))

    with page.expect_download() as activity_download:
        page.click("text=every command (CSV)")
    activity_rows = list(csv.reader(io.StringIO(Path(activity_download.value.path()).read_text(encoding="utf-8"))))
    assert len(activity_rows) - 1 == 20  # Alex's commands of the five days, none of Dad's
    assert not any(cell.startswith("=") for row in activity_rows for cell in row)


def test_a_kid_sees_only_their_own_dashboard(page, family):
    admin_sign_in(page, username="alex", password=PASSWORD)
    page.goto(f"/admin/dashboard/?member={family['parent'].name}")

    assert "Dad" not in page.inner_text("#content")
    assert "Only a family admin sees another member" in page.inner_text("#content")


def test_days_typed_in_from_and_to_win_over_the_preset_for_the_page_and_both_csvs(page, family):
    # The days are derived from when the commands were said, so the test holds on any date.
    said_on = sorted({moment.astimezone(BERLIN).date() for moment in family["alex_said"]})
    first, last = said_on[1], said_on[2]
    expected = [m for m in family["alex_said"] if first <= m.astimezone(BERLIN).date() <= last]
    admin_sign_in(page, username="dad", password=PASSWORD)
    page.goto("/admin/dashboard/?range=last_7_days")

    page.fill("#id_member", "Alex")
    page.fill("#id_from", first.isoformat())
    page.fill("#id_to", last.isoformat())
    page.click(".custom button")

    assert "From – to" in page.inner_text(".dashboard-zone")
    assert page.input_value("#id_from") == first.isoformat() and page.input_value("#id_to") == last.isoformat()
    with page.expect_download() as activity_download:
        page.click("text=every command (CSV)")
    rows = list(csv.reader(io.StringIO(Path(activity_download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) - 1 == len(expected)
    with page.expect_download() as usage_download:
        page.click("text=usage per day (CSV)")
    usage = list(csv.DictReader(io.StringIO(Path(usage_download.value.path()).read_text(encoding="utf-8"))))
    assert [row["date"] for row in usage] == [
        (first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)
    ]


def test_the_presets_include_last_week_and_the_last_30_days(page, family):
    admin_sign_in(page, username="dad", password=PASSWORD)
    page.goto("/admin/dashboard/")

    page.locator(".presets a", has_text="Last 30 days").click()
    assert "Last 30 days" in page.inner_text(".dashboard-zone")
    page.locator(".presets a", has_text="Last week").click()
    assert "Last week" in page.inner_text(".dashboard-zone")


def test_the_member_box_suggests_names_as_a_parent_types(page, family):
    admin_sign_in(page, username="dad", password=PASSWORD)
    page.goto("/admin/dashboard/?range=last_7_days")

    page.locator("#id_member").press_sequentially("al", delay=50)

    # Suggestions follow the keystrokes ("" on focus, then "a", then "al"): wait for the last answer
    # (polled from here: the page's CSP refuses the eval of wait_for_function).
    suggested = []
    for _ in range(50):
        suggested = page.eval_on_selector_all("#member-suggestions option", "options => options.map(o => o.value)")
        if suggested == ["Alex"]:
            break
        page.wait_for_timeout(100)
    assert suggested == ["Alex"]
    page.fill("#id_member", "Alex")  # what choosing the suggestion does (a datalist's list is the browser's own)
    page.click(".custom button")
    assert "Dashboard: Alex" in page.inner_text("#content h1")
