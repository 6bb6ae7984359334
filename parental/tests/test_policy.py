"""parental.rules: one decision per member, command and moment, with its reason, rule and "until"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from activity.models import ActivityLog, Session
from parental.rules import Reason, command_matches, command_normalize, controls_of, policy_decide
from parental.services import family_calendar_save, profile_pause
from profiles.models import UserProfile
from profiles.tests.factories import UserProfileFactory
from tests.sql import sql_rows

BERLIN = ZoneInfo("Europe/Berlin")
SEED_LIMITS = {"daily_limit_minutes": 60, "allowed_hours": [7, 21], "school_day_limit": 30, "weekend_limit": 90}


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def at(text: str) -> datetime:
    """A moment on Berlin's wall clock: "2026-11-27 20:30" (fold=1 with a trailing "+")."""
    fold = text.endswith("+")
    return datetime.fromisoformat(text.rstrip("+")).replace(tzinfo=BERLIN, fold=int(fold))


def kid(**fields) -> UserProfile:
    fields.setdefault("usage_limits", {})
    return UserProfileFactory(permission_level="kid", **fields)


def session(profile, start: str, end: str | None) -> Session:
    return Session.objects.create(profile=profile, started_at=at(start), ended_at=at(end) if end else None)


def command_in(running: Session, when: str) -> ActivityLog:
    """A command the tray recorded in the session `running` (metadata.session_id)."""
    return ActivityLog.objects.create(
        profile=running.profile, command_text="play music", status="success", timestamp=at(when),
        metadata={"session_id": str(running.pk)},
    )  # fmt: skip


def decide(profile, command="tell me a joke", moment="2026-11-27 10:00"):  # a Friday
    return policy_decide(profile=profile, command=command, at=at(moment) if isinstance(moment, str) else moment)


# --- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("play_music", "play music"),
        ("  Play   MUSIC!! ", "play music"),
        ("What's the weather?", "whats the weather"),
        ("What’s the weather", "whats the weather"),
        ("turn on the lights, please", "turn on the lights please"),
        ("Ｐｌａｙ music", "play music"),  # full-width letters fold too
        ("play * music", "play * music"),
        ("?!", ""),
    ],
)
def test_command_normalize_folds_case_punctuation_spaces_and_underscores(text, normalized):
    assert command_normalize(text) == normalized


@pytest.mark.parametrize(
    ("entry", "command", "anywhere", "matches"),
    [
        ("play_music", "play music", False, True),
        ("play music", "Play music!", False, True),
        ("play music", "Play some music!", False, False),
        ("play * music", "Play some music!", False, True),
        ("play * music", "play music", False, True),
        ("play music", "play music and unlock the door", False, False),
        ("tell me a story *", "Tell me a story about dragons", False, True),
        ("buy", "Buy me a game", True, True),
        ("buy", "goodbye", True, False),
        ("shopping list", "add milk to the shopping list", True, True),
        ("unlock the front door", "please UNLOCK the front-door", True, True),
        ("order", "in order to", True, True),
    ],
)
def test_command_matching_rule(entry, command, anywhere, matches):
    assert command_matches(entry, command, anywhere=anywhere) is matches


# --- the decision table and precedence --------------------------------------------------------


@pytest.fixture
def every_rule_broken(db):
    """A member for whom every refusal applies at the moment asked (Friday 22:00, minutes used up)."""
    profile = kid(
        is_active=False,
        allowed_commands=["tell me a joke", "unlock the front door"],
        blocked_commands=["unlock the front door"],
        usage_limits={**SEED_LIMITS, "pause": {"since": "2026-11-27T00:00:00+01:00", "until": None}},
    )
    session(profile, "2026-11-27 07:00", "2026-11-27 08:00")
    return profile


PRECEDENCE = [
    (Reason.INACTIVE, lambda p: setattr(p, "is_active", True)),
    (Reason.PAUSED, lambda p: p.usage_limits.pop("pause")),
    (Reason.BLOCKED_COMMAND, lambda p: setattr(p, "blocked_commands", None)),
    (Reason.NOT_IN_ALLOWED_LIST, lambda p: setattr(p, "allowed_commands", None)),
    (Reason.OUTSIDE_ALLOWED_HOURS, lambda p: p.usage_limits.pop("allowed_hours")),
    (Reason.DAILY_LIMIT_REACHED, lambda p: p.usage_limits.clear()),
    (Reason.ALLOWED, None),
]


def test_reasons_follow_their_precedence_one_rule_lifted_at_a_time(every_rule_broken):
    profile = every_rule_broken
    seen = []
    for expected, lift in PRECEDENCE:
        command = "unlock the front door, please" if len(seen) < 3 else "open sesame"
        decision = decide(profile, command, "2026-11-27 22:00")
        seen.append(decision.reason)
        assert decision.reason == expected, seen
        assert decision.allowed is (expected == Reason.ALLOWED)
        assert decision.message and decision.rule
        if lift:
            lift(profile)
    # A parent's approval is no rule of the precedence: it answers instead of a refusal (trayapi tests).
    assert seen == [reason for reason in Reason.values if reason != Reason.APPROVED_BY_PARENT]


def test_blocked_wins_over_allowed(db):
    profile = kid(allowed_commands=["set a timer"], blocked_commands=["set a timer"])
    decision = decide(profile, "Set a timer!")
    assert decision.reason == Reason.BLOCKED_COMMAND
    assert "set a timer" in decision.rule


def test_member_without_controls_is_allowed_without_a_query(db, django_assert_num_queries):
    profile = kid(usage_limits=None)
    with django_assert_num_queries(0):
        decision = decide(profile, "order a pizza")
    assert decision.allowed and decision.reason == Reason.ALLOWED and decision.until is None


def test_inactive_and_list_refusals_do_not_change_by_themselves(db):
    assert decide(kid(is_active=False)).until is None
    assert decide(kid(allowed_commands=["goodnight"])).until is None


def test_an_empty_allowed_list_allows_nothing_while_no_list_allows_everything(db):
    assert decide(kid(allowed_commands=[])).reason == Reason.NOT_IN_ALLOWED_LIST
    assert decide(kid(allowed_commands=None)).reason == Reason.ALLOWED


def test_pause_with_an_end_says_when_it_ends_and_one_without_waits_for_a_parent(db):
    profile = kid()
    profile_pause(profile=profile, minutes=30, now=at("2026-11-27 10:00"))
    decision = decide(profile, moment="2026-11-27 10:10")
    assert decision.reason == Reason.PAUSED
    assert decision.until == at("2026-11-27 10:30")
    assert "at 10:30" in decision.message
    assert decide(profile, moment="2026-11-27 10:30").allowed
    assert decide(profile, moment="2026-11-27 09:59").allowed  # before the pause began
    profile_pause(profile=profile, minutes=None, now=at("2026-11-27 10:00"))
    decision = decide(profile, moment="2026-12-25 10:00")
    assert decision.reason == Reason.PAUSED and decision.until is None


# --- the seed's keys, written by plain SQL --------------------------------------------------------


@pytest.fixture
def seed_kid(db) -> UserProfile:
    sql_rows(
        "INSERT INTO user_profiles (name, permission_level, allowed_commands, blocked_commands, usage_limits) "
        "VALUES ('Kiddo', 'kid', ARRAY['play_music', 'tell me a joke'], ARRAY['buy'], %s::jsonb)",
        ['{"daily_limit_minutes": 60, "allowed_hours": [7, 21], "school_day_limit": 30, "weekend_limit": 90}'],
    )
    return UserProfile.objects.get(name="Kiddo")


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        ("2026-11-27 06:59", Reason.OUTSIDE_ALLOWED_HOURS),
        ("2026-11-27 07:00", Reason.ALLOWED),  # from included
        ("2026-11-27 20:59", Reason.ALLOWED),
        ("2026-11-27 21:00", Reason.OUTSIDE_ALLOWED_HOURS),  # to excluded
    ],
)
def test_seed_allowed_hours_include_from_and_exclude_to(seed_kid, moment, reason):
    assert decide(seed_kid, "Play music!", moment).reason == reason


def test_seed_keys_written_by_plain_sql_work_unchanged(seed_kid):
    assert decide(seed_kid, "play music").allowed
    assert decide(seed_kid, "buy a game").reason == Reason.BLOCKED_COMMAND
    assert decide(seed_kid, "play some music").reason == Reason.NOT_IN_ALLOWED_LIST
    session(seed_kid, "2026-11-27 08:00", "2026-11-27 08:30")
    friday = decide(seed_kid, "play music", "2026-11-27 10:00")
    assert friday.reason == Reason.DAILY_LIMIT_REACHED
    assert friday.rule == "Friday, a school day: school-day limit 30 min"
    assert friday.until == at("2026-11-28 07:00")
    assert "tomorrow at 07:00" in friday.message
    session(seed_kid, "2026-11-28 08:00", "2026-11-28 08:30")
    saturday = decide(seed_kid, "play music", "2026-11-28 10:00")
    assert saturday.allowed
    assert "weekend limit 90 min" in saturday.rule and saturday.rule.startswith("Saturday")
    assert saturday.limit_minutes == 90 and round(saturday.minutes_used) == 30


def test_seed_hours_crossing_midnight(db):
    profile = kid(usage_limits={"allowed_hours": [21, 7]})
    assert decide(profile, moment="2026-11-27 23:00").allowed
    assert decide(profile, moment="2026-11-28 06:59").allowed
    refused = decide(profile, moment="2026-11-28 07:00")
    assert refused.reason == Reason.OUTSIDE_ALLOWED_HOURS and refused.until == at("2026-11-28 21:00")


def test_unreadable_usage_limits_are_named_not_fatal(db):
    profile = kid(usage_limits={"daily_limit_minutes": "sixty", "allowed_hours": [7, 25], "dailly_limit": 5})
    controls = controls_of(profile.usage_limits)
    assert len(controls.problems) == 3
    assert decide(profile).allowed


# --- richer windows ---------------------------------------------------------------------------


@pytest.fixture
def windowed(db) -> UserProfile:
    return kid(
        usage_limits={
            "windows": {"school_day": [["07:00", "07:45"], ["21:00", "07:00"]], "weekend": [["09:00", "20:30"]]}
        }
    )


@pytest.mark.parametrize(
    ("moment", "allowed", "until"),
    [
        ("2026-11-27 07:30", True, "2026-11-27 07:45"),
        ("2026-11-27 08:00", False, "2026-11-27 21:00"),
        ("2026-11-27 23:00", True, "2026-11-28 07:00"),  # Friday's window runs into Saturday
        ("2026-11-28 03:00", True, "2026-11-28 07:00"),
        ("2026-11-28 07:00", False, "2026-11-28 09:00"),
        ("2026-11-28 20:30", False, "2026-11-29 09:00"),  # Saturday's window does not cross midnight
        ("2026-11-29 22:00", False, "2026-11-30 07:00"),  # Sunday: weekend, no evening window
    ],
)
def test_windows_cross_midnight_and_belong_to_the_day_they_start(windowed, moment, allowed, until):
    decision = decide(windowed, moment=moment)
    assert decision.allowed is allowed, decision
    assert decision.until == at(until)


# --- daylight saving time (Europe/Berlin) -------------------------------------------------------


def test_the_night_the_clocks_go_back_has_25_hours_of_use(db):
    profile = kid(usage_limits={"daily_limit_minutes": 1440})
    session(profile, "2026-10-25 00:00", "2026-10-26 00:00")
    late = decide(profile, moment="2026-10-25 23:30")
    assert late.minutes_used == pytest.approx(24.5 * 60)
    assert late.reason == Reason.DAILY_LIMIT_REACHED
    early = decide(profile, moment="2026-10-25 02:30+")  # the second 02:30
    assert early.minutes_used == pytest.approx(3.5 * 60)


def test_the_night_the_clocks_go_forward_has_23_hours(db):
    profile = kid(usage_limits={"daily_limit_minutes": 1440})
    session(profile, "2026-03-29 00:00", "2026-03-30 00:00")
    assert decide(profile, moment="2026-03-29 23:59").minutes_used == pytest.approx(23 * 60 - 1)


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [("2026-10-25 02:30", True), ("2026-10-25 02:30+", True), ("2026-10-25 03:00", False)],
)
def test_a_window_across_the_25_hour_night_covers_the_repeated_hour(db, moment, allowed):
    profile = kid(usage_limits={"allowed_hours": [21, 3]})
    assert decide(profile, moment=moment).allowed is allowed


def test_allowed_again_at_seven_on_the_25_hour_night_is_seven_on_the_wall_clock(db):
    profile = kid(usage_limits={"allowed_hours": [7, 21]})
    decision = decide(profile, moment="2026-10-25 02:30+")
    assert decision.until == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 07:00 CET
    assert "at 07:00" in decision.message


# --- school days, public holidays and family holidays --------------------------------------------


def test_public_holidays_of_the_familys_country_are_not_school_days(db):
    profile = kid(usage_limits=SEED_LIMITS)
    session(profile, "2026-04-06 08:00", "2026-04-06 09:00")  # Easter Monday
    assert decide(profile, moment="2026-04-06 10:00").reason == Reason.DAILY_LIMIT_REACHED  # no country: school day
    family_calendar_save(country="DE", holidays=[])
    decision = decide(profile, moment="2026-04-06 10:00")
    assert decision.allowed
    assert decision.rule.startswith("Monday, public holiday (Easter Monday)")
    assert decision.limit_minutes == 90


def test_a_regional_public_holiday_needs_the_region(db):
    profile = kid(usage_limits=SEED_LIMITS)
    family_calendar_save(country="DE", holidays=[])
    assert decide(profile, moment="2026-01-06 10:00").day_type == "school_day"  # Epiphany: not in all of Germany
    family_calendar_save(country="DE-BY", holidays=[])
    assert decide(profile, moment="2026-01-06 10:00").day_type == "weekend"


def test_family_holidays_are_not_school_days(db):
    profile = kid(usage_limits=SEED_LIMITS)
    family_calendar_save(country="", holidays=[(date(2026, 10, 26), date(2026, 10, 30), "Autumn break")])
    decision = decide(profile, moment="2026-10-28 10:00")
    assert decision.day_type == "weekend"
    assert decision.rule.startswith("Wednesday, family holiday (Autumn break)")
    assert decide(profile, moment="2026-11-02 10:00").day_type == "school_day"


# --- minutes used ---------------------------------------------------------------------------------


def test_an_open_session_counts_up_to_the_moment_and_can_reach_the_limit(db):
    profile = kid(usage_limits={"school_day_limit": 30})
    running = session(profile, "2026-11-27 09:00", None)
    for minute in (5, 19, 30):  # in use: commands of the session keep it from going idle
        command_in(running, f"2026-11-27 09:{minute:02}")
    before = decide(profile, moment="2026-11-27 09:20")
    assert before.allowed and before.minutes_used == pytest.approx(20)
    assert before.until == at("2026-11-27 09:30")  # the open session uses the rest up
    after = decide(profile, moment="2026-11-27 09:31")
    assert after.reason == Reason.DAILY_LIMIT_REACHED
    assert after.until == at("2026-11-28 00:00")  # Saturday has no limit


def test_only_the_time_on_the_local_day_counts(db):
    profile = kid(usage_limits={"daily_limit_minutes": 60})
    session(profile, "2026-11-26 23:30", "2026-11-27 00:20")  # 20 minutes fall on Friday
    session(profile, "2026-11-27 12:00", "2026-11-27 12:10")
    session(profile, "2026-11-27 18:00", "2026-11-27 19:00")  # after the moment asked
    Session.objects.create(profile=kid(), started_at=at("2026-11-27 09:00"), ended_at=at("2026-11-27 11:00"))
    assert decide(profile, moment="2026-11-27 15:00").minutes_used == pytest.approx(30)


def test_long_closed_sessions_and_old_open_sessions_count_their_part_of_the_day(db):
    profile = kid(usage_limits={"daily_limit_minutes": 1440})
    session(profile, "2026-11-24 10:00", "2026-11-27 01:00")  # three days long: one hour on Friday
    forgotten = session(profile, "2026-11-20 10:00", None)  # open for a week, idle since 10:15 that day
    assert decide(profile, moment="2026-11-27 02:00").minutes_used == pytest.approx(60)
    command_in(forgotten, "2026-11-27 01:50")  # in use again: Friday up to the moment
    assert decide(profile, moment="2026-11-27 02:00").minutes_used == pytest.approx(60 + 120)


def test_an_open_session_stops_counting_15_minutes_after_its_last_command(db):
    profile = kid(usage_limits={"daily_limit_minutes": 60})
    crashed = session(profile, "2026-11-27 09:00", None)
    command_in(crashed, "2026-11-27 09:40")
    ActivityLog.objects.create(profile=profile, command_text="x", status="success", timestamp=at("2026-11-27 11:00"))

    assert decide(profile, moment="2026-11-27 09:50").minutes_used == pytest.approx(50)
    assert decide(profile, moment="2026-11-27 12:00").minutes_used == pytest.approx(55)
    assert decide(profile, moment="2026-11-27 12:00").allowed


def test_a_decision_takes_at_most_two_queries_with_the_profile_lookup(db, django_assert_max_num_queries):
    profile = kid(usage_limits=SEED_LIMITS, allowed_commands=["play music"], blocked_commands=["buy"])
    session(profile, "2026-11-27 09:00", None)
    family_calendar_save(country="DE", holidays=[])
    with django_assert_max_num_queries(2):
        loaded = UserProfile.objects.get(name=profile.name)
        decision = policy_decide(profile=loaded, command="play music", at=at("2026-11-27 09:10"))
    assert decision.allowed


def test_until_is_reported_in_the_familys_zone(db):
    profile = kid(usage_limits={"allowed_hours": [7, 21]})
    decision = decide(profile, moment=at("2026-11-27 22:00") - timedelta(0))
    assert decision.until.tzinfo is not None
    assert decision.to_json()["until"] == "2026-11-28T07:00:00+01:00"
