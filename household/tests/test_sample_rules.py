"""The sample family's history follows each member's own parental controls, in the family's zone.

Every command of Alex and the Guest is decided again by the policy, at its moment, against
the sessions stored before it (minutes used included): what the history records as done
the policy allows, what it records as refused the policy refuses for the same reason.
"""

from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from activity.models import ActivityLog, Session
from household.sample_family import LIMIT_DAY_OFFSET
from parental import rules
from profiles.models import UserProfile
from telemetry.models import SystemEvent
from tonnysite.clock import family_zone

pytestmark = pytest.mark.django_db

RULED = ("Alex", "Guest")


@pytest.fixture
def ruled(settings):
    settings.TIME_ZONE = "America/Los_Angeles"  # not the server's zone: the rules hold in the family's
    call_command("load_samples", "--force", verbosity=0)
    return list(UserProfile.objects.filter(name__in=RULED))


def commands(profile):
    return ActivityLog.objects.filter(profile=profile).order_by("timestamp")


def refused(row) -> bool:
    return (row.metadata or {}).get("error_type") == rules.REFUSED_ERROR_TYPE


def test_every_command_not_refused_is_one_the_policy_allows_at_its_moment(ruled):
    for profile in ruled:
        for row in commands(profile):
            if not refused(row):
                decision = rules.policy_decide(profile=profile, command=row.command_text, at=row.timestamp)
                assert decision.allowed, (profile.name, row.command_text, row.timestamp, decision.reason)


def test_refused_commands_are_recorded_as_the_policy_refuses_them(ruled):
    reasons = defaultdict(set)
    for profile in ruled:
        for row in filter(refused, commands(profile)):
            decision = rules.policy_decide(profile=profile, command=row.command_text, at=row.timestamp)
            assert not decision.allowed, row.command_text
            assert row.status == "failed"
            assert row.response_text == decision.message
            assert {key: row.metadata[key] for key in ("error_type", "policy")} == rules.refusal_metadata(decision)
            event = SystemEvent.objects.get(metadata__activity_id=str(row.pk))
            assert (event.component, event.event_type) == ("parental_controls", "command_blocked")
            reasons[profile.name].add(decision.reason)
    assert reasons["Alex"] == {rules.Reason.BLOCKED_COMMAND, rules.Reason.NOT_IN_ALLOWED_LIST}
    assert reasons["Guest"]


def test_most_of_alexs_commands_are_allowed_and_a_few_refused_each_week(ruled):
    rows = list(commands(next(p for p in ruled if p.name == "Alex")))
    refusals = sum(map(refused, rows))
    assert 3 * 3 <= refusals <= len(rows) * 0.15  # three weeks


def day_spans(profile, day, calendar):
    return rules.allowed_spans(day, rules.controls_of(profile.usage_limits), calendar, family_zone())


def test_every_session_lies_inside_the_members_allowed_windows_of_its_day(ruled):
    for profile in ruled:
        calendar = rules.policy_inputs(profile_id=profile.pk, moment=timezone.now()).calendar
        for session in Session.objects.filter(profile=profile):
            day = session.started_at.astimezone(family_zone()).date()
            spans = day_spans(profile, day, calendar)
            assert any(start <= session.started_at and session.ended_at <= end for start, end in spans), session


def test_no_day_goes_over_its_limit_and_alex_reaches_it_on_the_story_day(ruled):
    zone = family_zone()
    for profile in ruled:
        calendar = rules.policy_inputs(profile_id=profile.pk, moment=timezone.now()).calendar
        controls = rules.controls_of(profile.usage_limits)
        used = defaultdict(timedelta)
        for session in Session.objects.filter(profile=profile):
            used[session.started_at.astimezone(zone).date()] += session.ended_at - session.started_at
        for day, total in used.items():
            limit, _ = controls.limit_for(calendar.day_type(day)[0])
            assert total <= timedelta(minutes=limit), (profile.name, day, total)
        if profile.name == "Alex":
            story_day = timezone.localdate() - timedelta(days=LIMIT_DAY_OFFSET)
            limit, _ = controls.limit_for(calendar.day_type(story_day)[0])
            assert used[story_day] == timedelta(minutes=limit)
