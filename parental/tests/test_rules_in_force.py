"""The rules in force at a moment, read from the change history's entries (parental.rules.in_force)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from parental.rules import RulesInForce, ValueHistory

BERLIN = ZoneInfo("Europe/Berlin")


def moment(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


def test_the_value_before_the_first_later_change_is_in_force():
    history = ValueHistory.of(
        {"daily_limit_minutes": 30},
        [
            (moment(10, 12), {"before": {"daily_limit_minutes": 90}, "after": {"daily_limit_minutes": 60}}),
            (moment(20, 12), {"before": {"daily_limit_minutes": 60}, "after": {"daily_limit_minutes": 30}}),
        ],
    )

    assert history.at(moment(1, 0)) == {"daily_limit_minutes": 90}  # before the history: the earliest known
    assert history.at(moment(10, 11)) == {"daily_limit_minutes": 90}
    assert history.at(moment(10, 12)) == {"daily_limit_minutes": 60}  # from the change on
    assert history.at(moment(15, 0)) == {"daily_limit_minutes": 60}
    assert history.at(moment(25, 0)) == {"daily_limit_minutes": 30}
    assert history.during(moment(9, 0), moment(21, 0)) == [
        {"daily_limit_minutes": 90},
        {"daily_limit_minutes": 60},
        {"daily_limit_minutes": 30},
    ]


def test_a_member_added_and_set_in_one_transaction_has_those_rules_as_the_earliest_known():
    added = moment(10, 12)
    history = ValueHistory.of(
        {"daily_limit_minutes": 30},
        [
            (added, {"after": None}),  # the row added (one transaction: one time)
            (added, {"before": None, "after": {"daily_limit_minutes": 45}}),
            (moment(20, 12), {"before": {"daily_limit_minutes": 45}, "after": {"daily_limit_minutes": 30}}),
        ],
    )

    assert history.at(moment(1, 0)) == {"daily_limit_minutes": 45}
    assert history.at(moment(15, 0)) == {"daily_limit_minutes": 45}


def test_hidden_and_deleted_entries_tell_nothing():
    history = ValueHistory.of("now", [(moment(10, 12), {"hidden": True, "before": True}), (moment(11, 0), {})])

    assert history.at(moment(1, 0)) == "now"


def test_a_day_is_judged_by_the_rules_at_its_end_and_today_by_today_s():
    history = ValueHistory.of(
        {"daily_limit_minutes": 30},
        [(moment(20, 15), {"before": {"daily_limit_minutes": 60}, "after": {"daily_limit_minutes": 30}})],
    )
    in_force = RulesInForce(
        zone=BERLIN,
        now=moment(22, 9),
        limits={"kid": history},
        country=ValueHistory.of(None, []),
        holidays=ValueHistory.of([], []),
    )

    assert in_force.limit_on("kid", date(2026, 11, 19))[0] == 60
    assert in_force.limit_on("kid", date(2026, 11, 20))[0] == 30  # the day of the change: its last word
    assert in_force.limit_on("kid", date(2026, 11, 22))[0] == 30
    assert in_force.limit_on("kid", date(2026, 11, 22) + timedelta(days=3))[0] == 30


def test_a_holiday_added_later_does_not_turn_an_earlier_school_day_into_a_weekend():
    thursday = date(2026, 11, 19)
    holidays = ValueHistory.of(
        [{"from": "2026-11-19", "to": "2026-11-19", "name": "Snow day"}],
        [(moment(21, 10), {"before": [], "after": [{"from": "2026-11-19", "to": "2026-11-19", "name": "Snow day"}]})],
    )
    in_force = RulesInForce(
        zone=BERLIN, now=moment(22, 9), limits={}, country=ValueHistory.of(None, []), holidays=holidays
    )

    assert in_force.day_type(thursday) == ("school_day", "Thursday, a school day")
