"""parental_controls_save, profile_pause/resume and family_calendar_save: checked, then stored in the seed's columns."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from parental.rules import allowed_hours_summary, controls_of
from parental.services import family_calendar_save, parental_controls_save, profile_pause, profile_resume
from profiles.tests.factories import UserProfileFactory
from telemetry.models import Setting

H = 60  # minutes in an hour


def save(profile, **changes):
    fields = {
        "daily_limit_minutes": None,
        "school_day_limit": None,
        "weekend_limit": None,
        "windows": {"school_day": [], "weekend": []},
        "allowed_commands": None,
        "blocked_commands": None,
    }
    fields.update(changes)
    return parental_controls_save(profile=profile, **fields)


def errors_of(profile, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        save(profile, **changes)
    return caught.value.message_dict


@pytest.fixture
def alex(db):
    return UserProfileFactory(name="Alex", permission_level="kid")


def test_limits_and_one_whole_hour_window_are_stored_as_the_seed_keys_only(alex):
    window = [(7 * H, 21 * H)]
    save(alex, daily_limit_minutes=60, school_day_limit=30, weekend_limit=90,
         windows={"school_day": window, "weekend": window})  # fmt: skip
    alex.refresh_from_db()
    assert alex.usage_limits == {
        "daily_limit_minutes": 60,
        "school_day_limit": 30,
        "weekend_limit": 90,
        "allowed_hours": [7, 21],
    }


def test_richer_windows_go_under_windows_with_a_summary_that_never_allows_more(alex):
    save(alex, windows={"school_day": [(7 * H, 7 * H + 45), (15 * H, 20 * H + 30)], "weekend": [(9 * H, 21 * H)]})
    alex.refresh_from_db()
    assert alex.usage_limits["windows"] == {
        "school_day": [["07:00", "07:45"], ["15:00", "20:30"]],
        "weekend": [["09:00", "21:00"]],
    }
    assert alex.usage_limits["allowed_hours"] == [15, 20]
    assert controls_of(alex.usage_limits).problems == ()


@pytest.mark.parametrize(
    ("per_day", "summary"),
    [
        ({"school_day": [(21 * H, 7 * H)], "weekend": []}, [21, 7]),
        ({"school_day": [(7 * H + 30, 8 * H + 15)], "weekend": []}, [0, 0]),  # no whole hour: none
        ({"school_day": [(18 * H, 0)], "weekend": [(18 * H, 0)]}, [18, 24]),
    ],
)
def test_allowed_hours_summary(per_day, summary):
    assert allowed_hours_summary(per_day=per_day) == summary


def test_a_window_to_midnight_is_the_seed_hour_24(alex):
    save(alex, windows={"school_day": [(18 * H, 0)], "weekend": [(18 * H, 0)]})
    alex.refresh_from_db()
    assert alex.usage_limits == {"allowed_hours": [18, 24]}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"daily_limit_minutes": -5}, "daily_limit_minutes", "minutes from 0 to 1440, not -5."),
        ({"weekend_limit": 1441}, "weekend_limit", "The weekend limit is a whole number of minutes from 0 to 1440"),
        ({"school_day_limit": "sixty"}, "school_day_limit", "not 'sixty'"),
        ({"windows": {"school_day": [(9 * H, 9 * H)]}}, "windows_school_day", "the window 09:00–09:00 is empty"),
        ({"windows": {"weekend": [(7 * H, 12 * H), (11 * H, 15 * H)]}}, "windows_weekend",
         "the windows 07:00–12:00 and 11:00–15:00 overlap"),
        ({"windows": {"school_day": [(21 * H, 7 * H), (6 * H, 8 * H)]}}, "windows_school_day",
         "the windows 21:00–07:00 and 06:00–08:00 overlap"),
        ({"windows": {"school_day": [(7 * H, 25 * H)]}}, "windows_school_day", "times of the day, 00:00 to 23:59"),
        ({"allowed_commands": ["play music", "Play_Music!"]}, "allowed_commands",
         "“Play_Music!” (line 2) is the same command as “play music” (line 1)"),
        ({"allowed_commands": ["play music", "  "]}, "allowed_commands", "Allowed commands, line 2: an empty entry."),
        ({"blocked_commands": ["?!"]}, "blocked_commands", "“?!” has no words"),
        ({"blocked_commands": ["*"]}, "blocked_commands", "would match every command"),
        ({"allowed_commands": ["set a timer"], "blocked_commands": ["Set a timer."]}, "blocked_commands",
         "“set a timer” is in both the allowed and the blocked commands"),
    ],
)  # fmt: skip
def test_every_field_is_checked_with_a_message_naming_the_problem(alex, changes, field, message):
    errors = errors_of(alex, **changes)
    assert field in errors
    assert any(message in text for text in errors[field]), errors


def test_a_command_with_a_comma_stays_one_command(alex):
    save(alex, allowed_commands=["turn on the lights, then play music"])
    alex.refresh_from_db()
    assert alex.allowed_commands == ["turn on the lights, then play music"]


def test_saving_controls_keeps_the_pause_and_drops_misspelled_keys(alex):
    alex.usage_limits = {"dailly_limit": 5}
    alex.save()
    profile_pause(profile=alex, minutes=None)
    save(alex, daily_limit_minutes=45)
    alex.refresh_from_db()
    assert set(alex.usage_limits) == {"daily_limit_minutes", "pause"}
    profile_resume(profile=alex)
    alex.refresh_from_db()
    assert alex.usage_limits == {"daily_limit_minutes": 45}


def test_a_pause_lasts_a_minute_to_a_week(alex):
    with pytest.raises(ValidationError, match="A pause lasts 1 to 10080 minutes"):
        profile_pause(profile=alex, minutes=0)


def test_family_calendar_refuses_an_unknown_country_and_a_range_that_ends_before_it_starts(db):
    with pytest.raises(ValidationError, match="“XX” is not a country code"):
        family_calendar_save(country="XX", holidays=[])
    with pytest.raises(ValidationError, match="ends"):
        family_calendar_save(country="DE", holidays=[(date(2026, 5, 2), date(2026, 5, 1), "Oops")])
    family_calendar_save(country="de", holidays=[(date(2026, 5, 1), date(2026, 5, 2), "Long weekend")])
    assert Setting.objects.get(key="family.country").value == "DE"
    assert Setting.objects.get(key="family.holidays").value == [
        {"from": "2026-05-01", "to": "2026-05-02", "name": "Long weekend"}
    ]
