"""A past day keeps its rules: tightening the limits, hours or calendar today does not move yesterday's figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from activity.tests.factories import ActivityLogFactory, SessionFactory
from dashboard.tests.helpers import USAGE_URL, as_dicts, client_as, download, local
from history.models import Change
from parental.services import family_calendar_save, parental_controls_save
from telemetry.models import Setting
from tonnysite.clock import local_today

DASHBOARD = "/admin/dashboard/"


def _last_school_day() -> date:
    """The latest weekday before today (the test family has no country: no public holidays)."""
    day = local_today() - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _judged(day: date, kid) -> tuple:
    """What the dashboard and usage.csv say of the kid on `day`."""
    params = {"from": day.isoformat(), "to": day.isoformat(), "member": kid.name}
    response = client_as("admin").get(DASHBOARD, params)
    assert response.status_code == 200, response.content[:500]
    (card,) = response.context["figures"].members
    _, table = download(client_as("admin"), USAGE_URL, **params)
    (row,) = as_dicts(table)
    return card.over_limit_days, card.outside_hours, row["limit minutes"], row["over limit"]


@pytest.mark.parametrize("calendar_stored", [True, False], ids=["calendar stored", "calendar never stored"])
def test_tightening_the_rules_today_leaves_an_earlier_day_as_it_was(family, calendar_stored):
    if not calendar_stored:
        # A database whose calendar settings were never stored (a flush took them): adding the holiday
        # today adds the setting, and the days before still had no holiday.
        Setting.objects.filter(key__in=["family.country", "family.holidays"]).delete()
        Change.objects.filter(table_name="settings").delete()
    kid = family["kid"]
    kid.usage_limits = {"school_day_limit": 60, "weekend_limit": 20, "allowed_hours": [7, 21]}
    kid.save()
    # The kid joined before the history was kept (its entries purged): the rules it has now are
    # the earliest known, and stand for every day before the next change.
    Change.objects.filter(row_id=str(kid.pk)).delete()
    day = _last_school_day()
    ActivityLogFactory(profile=kid, timestamp=local(day.year, day.month, day.day, 20, 30))
    SessionFactory(
        profile=kid,
        started_at=local(day.year, day.month, day.day, 20, 0),
        ended_at=local(day.year, day.month, day.day, 20, 50),
    )
    before = _judged(day, kid)
    assert before == ([], 0, "60", "no")  # 50 minutes of 60 on a school day, 20:30 inside 07:00-21:00

    # Today: 30 minutes on school days, 20 at weekends, hours 07:00-20:00, and that day made a holiday.
    parental_controls_save(
        profile=kid,
        daily_limit_minutes=None,
        school_day_limit=30,
        weekend_limit=20,
        windows={"school_day": [(7 * 60, 20 * 60)], "weekend": [(7 * 60, 20 * 60)]},
        allowed_commands=None,
        blocked_commands=None,
    )
    family_calendar_save(country="", holidays=[(day, day, "Snow day")])

    assert _judged(day, kid) == before
    # Today is judged by today's rules.
    today = local_today()
    response = client_as("admin").get(DASHBOARD, {"range": "today", "member": kid.name})
    (card,) = response.context["figures"].members
    assert card.today_limit == (20 if today.weekday() >= 5 else 30)


def test_an_hour_counts_as_outside_the_allowed_hours_by_the_rules_in_force_during_it(family):
    kid = family["kid"]
    kid.usage_limits = {"allowed_hours": [7, 10]}
    kid.save()
    Change.objects.filter(row_id=str(kid.pk)).delete()
    day = local_today() - timedelta(days=1)
    # At 12:30 that day a parent narrowed the hours from 07:00-21:00 to 07:00-10:00 (as the trigger records it).
    Change.objects.create(
        changed_at=local(day.year, day.month, day.day, 12, 30),
        table_name="user_profiles",
        row_id=str(kid.pk),
        row_label=kid.name,
        profile_id=kid.pk,
        member_name=kid.name,
        action="update",
        changes={"usage_limits": {"before": {"allowed_hours": [7, 21]}, "after": {"allowed_hours": [7, 10]}}},
        actor="admin",
        via="admin",
    )
    for hour, minute in ((11, 15), (12, 10), (15, 0), (22, 0)):
        ActivityLogFactory(profile=kid, timestamp=local(day.year, day.month, day.day, hour, minute))

    response = client_as("admin").get(DASHBOARD, {"from": day.isoformat(), "to": day.isoformat(), "member": kid.name})

    (card,) = response.context["figures"].members
    # 11:15 was allowed then; 12:10 lies in the hour of the change (allowed by the rule before it);
    # 15:00 is outside the new hours and 22:00 outside both.
    assert card.outside_hours == 2
