"""The family dashboard: figures equal values worked out by hand (a clock-change day included),
range presets, role scoping, links to the lists behind the figures, and bounded queries."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory
from dashboard.ranges import preset_range
from dashboard.selectors import histogram_percentile

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
DASHBOARD = "/admin/dashboard/"


@pytest.fixture
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    return BERLIN


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def figures_of(response):
    assert response.status_code == 200, response.content[:800]
    return response.context["figures"]


# --- presets -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "first", "last"),
    [
        ("today", date(2026, 11, 26), date(2026, 11, 26)),
        ("yesterday", date(2026, 11, 25), date(2026, 11, 25)),
        ("this_week", date(2026, 11, 23), date(2026, 11, 26)),
        ("last_week", date(2026, 11, 16), date(2026, 11, 22)),
        ("last_7_days", date(2026, 11, 20), date(2026, 11, 26)),
        ("last_30_days", date(2026, 10, 28), date(2026, 11, 26)),
        ("this_month", date(2026, 11, 1), date(2026, 11, 26)),
        ("last_month", date(2026, 10, 1), date(2026, 10, 31)),
        ("this_year", date(2026, 1, 1), date(2026, 11, 26)),
    ],
)
def test_presets_cover_whole_local_days(preset, first, last):
    days = preset_range(preset, today=date(2026, 11, 26), zone=BERLIN)

    assert (days.first, days.last) == (first, last)
    assert days.start == datetime(first.year, first.month, first.day, tzinfo=BERLIN)


def test_last_7_days_is_seven_days_and_last_month_across_the_clock_change_has_745_hours():
    week = preset_range("last_7_days", today=date(2026, 11, 26), zone=BERLIN)
    october = preset_range("last_month", today=date(2026, 11, 26), zone=BERLIN)

    assert len(week.days) == 7
    utc = ZoneInfo("UTC")
    assert october.end.astimezone(utc) - october.start.astimezone(utc) == timedelta(hours=31 * 24 + 1)


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"from": "2026-02-30"}, "From"),
        ({"range": "fortnight"}, "Range"),
        ({"from": "2026-11-20", "to": "2026-11-01"}, "is after To"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "at most 731 days"),
        ({"member": "Nobody by that name"}, "Member"),
        ({"range": "custom"}, "needs a From or a To"),
    ],
)
def test_bad_parameters_get_a_400_that_says_why(client_as, family, params, words):
    response = client_as("admin").get(DASHBOARD, params)

    assert response.status_code == 400
    assert words in response.text


def test_from_and_to_win_over_the_preset_the_form_carries(client_as, family, berlin):
    query = {"range": "last_7_days", "from": "2026-10-24", "to": "2026-10-26"}

    page = client_as("admin").get(DASHBOARD, query)
    usage = client_as("admin").get(reverse("admin:dashboard_usage_csv"), query)

    assert page.context["query"].days.preset == "custom"
    assert (page.context["query"].days.first, page.context["query"].days.last) == (
        date(2026, 10, 24),
        date(2026, 10, 26),
    )
    rows = list(csv.reader(io.StringIO(b"".join(usage.streaming_content).decode("utf-8-sig"))))
    assert {row[0] for row in rows[1:]} == {"2026-10-24", "2026-10-25", "2026-10-26"}


def test_a_custom_range_from_and_to_is_shown_by_name(client_as, family, berlin):
    response = client_as("admin").get(DASHBOARD, {"from": "2026-10-24", "to": "2026-10-26"})

    figures = figures_of(response)
    assert [d.day for d in figures.days] == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
    assert "From – to: 24 – 26 October 2026" in response.text
    assert "Europe/Berlin" in response.text


# --- figures by hand -----------------------------------------------------------------------


def test_figures_of_a_clock_change_day_equal_a_count_by_hand(client_as, family, berlin):
    kid = family["kid"]
    day = date(2026, 10, 25)  # clocks go back at 03:00: the day has 25 hours
    ActivityLogFactory(profile=kid, timestamp=at(day, 0, 30), command_text="lights on", processing_time_ms=100)
    # 02:30 happens twice; the second one (standard time) is 01:30 UTC
    ActivityLogFactory(
        profile=kid, timestamp=datetime(2026, 10, 25, 1, 30, tzinfo=ZoneInfo("UTC")), command_text="lights on",
        processing_time_ms=300,
    )  # fmt: skip
    ActivityLogFactory(profile=kid, timestamp=at(day, 23, 59), status="failed", command_text="buy a game")
    ActivityLogFactory(profile=kid, timestamp=at(day, 12), status="timeout", command_text="weather")
    ActivityLogFactory(profile=kid, timestamp=at(day + timedelta(days=1), 0, 0), command_text="next day")
    SessionFactory(profile=kid, started_at=at(day, 12), ended_at=at(day, 12, 30))
    CommandHistoryFactory(profile=kid, timestamp=at(day, 12), quick_action_id="good_morning")

    response = client_as("admin").get(DASHBOARD, {"from": "2026-10-25", "to": "2026-10-25", "member": kid.name})

    (figures_day,) = figures_of(response).days
    figures = response.context["figures"]
    assert (figures_day.commands, figures_day.success, figures_day.failed, figures_day.timeout) == (4, 2, 1, 1)
    assert figures_day.minutes == 30
    sunday = figures.heatmap[6]
    assert (sunday[0], sunday[2], sunday[12], sunday[23]) == (1, 1, 1, 1)
    assert dict((text, n) for text, n, _ in figures.top_commands)["lights on"] == 2
    assert figures.quick_actions == [("good_morning", "good_morning", 1)]
    assert figures.timing_source == "exact"


def test_the_family_total_adds_every_member_and_a_member_sees_their_own(client_as, family, berlin):
    today = datetime.now(BERLIN).date()
    for role, count in (("kid", 3), ("user", 2), ("admin", 1)):
        for n in range(count):
            ActivityLogFactory(profile=family[role], timestamp=at(today, 10, n) - timedelta(days=1))

    family_figures = figures_of(client_as("admin").get(DASHBOARD, {"range": "last_7_days"}))
    kid_figures = figures_of(client_as("kid").get(DASHBOARD, {"range": "last_7_days"}))

    assert family_figures.total.commands == 6
    assert family_figures.timing_source == "histograms"
    assert kid_figures.total.commands == 3
    assert [card.profile for card in kid_figures.members] == [family["kid"]]


def test_a_kid_asking_for_another_members_dashboard_gets_a_403_page_saying_why(client_as, family, berlin):
    ActivityLogFactory(profile=family["user"], timestamp=at(datetime.now(BERLIN).date(), 9))

    response = client_as("kid").get(DASHBOARD, {"member": family["user"].name})

    assert response.status_code == 403
    assert "Only a family admin sees another member" in response.text
    assert "User Member" not in response.text


def test_a_kid_dashboard_has_no_timing_charts_and_a_parents_has(client_as, family, berlin):
    kid_page = client_as("kid").get(DASHBOARD)
    parent_page = client_as("admin").get(DASHBOARD)

    assert kid_page.status_code == parent_page.status_code == 200
    assert "How long answers took" not in kid_page.text
    assert "How long answers took" in parent_page.text


def test_a_guest_and_a_stranger_cannot_open_the_dashboard(client, client_as, family):
    assert client.get(DASHBOARD).status_code == 302  # to the sign-in page
    assert client_as("guest").get(DASHBOARD).status_code in (302, 403)


def test_the_kid_card_says_which_limit_applies_and_counts_refusals_and_late_commands(client_as, family, berlin):
    kid = family["kid"]
    kid.usage_limits = {"daily_limit_minutes": 60, "allowed_hours": [7, 21], "weekend_limit": 20}
    kid.save()
    saturday = date(2026, 10, 24)
    ActivityLogFactory(profile=kid, timestamp=at(saturday, 22, 15), command_text="late")
    ActivityLogFactory(
        profile=kid,
        timestamp=at(saturday, 10),
        status="failed",
        metadata={"error_type": "policy_refused", "policy": {"reason": "blocked_command", "rule": "blocked “buy”"}},
    )
    SessionFactory(profile=kid, started_at=at(saturday, 10), ended_at=at(saturday, 10, 25))

    response = client_as("admin").get(DASHBOARD, {"from": "2026-10-24", "to": "2026-10-24", "member": kid.name})

    (card,) = figures_of(response).members
    assert card.refused == 1
    assert card.outside_hours == 1
    assert card.over_limit_days == [saturday]
    assert "1 command refused</a> by the parental controls: 1 blocked for Kid Member" in response.text
    assert "Over the limit on 1 day" in response.text


def test_percentiles_from_histograms_interpolate_inside_the_bucket():
    assert histogram_percentile({100: 10}, 0.5) == 125
    assert histogram_percentile({0: 1, 1000: 1}, 0.5) == 25
    assert histogram_percentile({30000: 4}, 0.95) == 30000
    assert histogram_percentile({}, 0.5) is None


# --- links ---------------------------------------------------------------------------------


def test_yesterdays_failed_commands_are_one_click_away(client_as, family, berlin):
    kid = family["kid"]
    yesterday = datetime.now(BERLIN).date() - timedelta(days=1)
    ActivityLogFactory(profile=kid, timestamp=at(yesterday, 8), status="failed", command_text="failed yesterday")
    ActivityLogFactory(profile=kid, timestamp=at(yesterday, 9), command_text="worked yesterday")
    ActivityLogFactory(profile=kid, timestamp=at(yesterday + timedelta(days=1), 0, 5), status="failed")

    figures = figures_of(client_as("admin").get(DASHBOARD, {"range": "yesterday"}))
    listed = client_as("admin").get(figures.links["failed"])

    assert listed.status_code == 200
    assert [row.command_text for row in listed.context["cl"].result_list] == ["failed yesterday"]


def test_every_link_on_the_page_opens(client_as, family, rows, berlin):
    ActivityLogFactory(profile=family["kid"], timestamp=at(datetime.now(BERLIN).date(), 8), command_text="lights on")
    response = client_as("admin").get(DASHBOARD)
    links = set(re.findall(r'href="(/admin/[^"]+)"', response.text))

    assert len(links) > 20
    for link in sorted(links):
        if link.endswith(".csv") or ".csv?" in link:
            continue
        assert client_as("admin").get(link.replace("&amp;", "&")).status_code == 200, link


def test_the_admin_index_links_the_dashboard_first(client_as, family):
    text = client_as("admin").get("/admin/").text

    assert text.index(reverse("admin:dashboard")) < text.index("/admin/activity/")


# --- cost ----------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_days_of_the_range(client_as, family, berlin):
    def queries(params):
        client = client_as("admin")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(DASHBOARD, params).status_code == 200
        return len(captured)

    assert queries({"range": "today"}) == queries({"range": "this_year"})


def test_n_refused_on_a_card_leads_to_exactly_those_n_rows_with_the_reason_in_words(client_as, family, berlin):
    kid = family["kid"]
    yesterday = datetime.now(BERLIN).date() - timedelta(days=1)

    def refused(hour, text, reason):
        metadata = {"error_type": "policy_refused", "policy": {"reason": reason, "rule": "a rule"}}
        ActivityLogFactory(profile=kid, timestamp=at(yesterday, hour), status="failed", command_text=text,
                           metadata=metadata)  # fmt: skip

    refused(8, "buy a game", "blocked_command")
    refused(9, "open the garage", "not_in_allowed_list")
    ActivityLogFactory(profile=kid, timestamp=at(yesterday, 10), status="failed", command_text="lights broke",
                       metadata={"error_type": "device_unreachable"})  # fmt: skip
    ActivityLogFactory(profile=kid, timestamp=at(yesterday, 11), command_text="tell a joke")

    page = client_as("admin").get(DASHBOARD, {"range": "yesterday"})
    card = next(card for card in page.context["figures"].members if card.profile == kid)
    listed = client_as("admin").get(card.links["refused"])
    shown = listed.content.decode()

    assert card.refused == 2
    assert "2 commands refused" in page.text and "not in Kid Member&#x27;s allowed list" in page.text
    assert sorted(row.command_text for row in listed.context["cl"].result_list) == ["buy a game", "open the garage"]
    assert "blocked for Kid Member" in shown and "not in Kid Member&#x27;s allowed list" in shown
    assert "not_in_allowed_list" not in shown and "blocked_command" not in shown
