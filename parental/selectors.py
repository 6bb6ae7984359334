"""Reads of the family's rules: the rules in force on a past day, a member's day so far, today's commands
per member, requests waiting for a parent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from activity.models import ActivityLog, UsageStatistic, refusal_words, refused_by_the_parental_controls
from history.models import Change, TrackedTable
from parental import rules
from parental.models import ParentRequest, RequestStatus
from profiles.models import UserProfile
from tonnysite.clock import day_bounds, family_zone, local_today


def rules_in_force(*, members, since: datetime, now: datetime) -> rules.RulesInForce:
    """The members' parental controls and the family's calendar at any moment from `since` to `now`,
    from today's values and the change history recorded after `since` (two queries, three with the calendar).
    `members` are profiles with their current `usage_limits`."""
    member_changes = defaultdict(list)
    for row_id, when, entry in (
        Change.objects.filter(
            table_name=TrackedTable.PROFILES,
            row_id__in=[str(member.pk) for member in members],
            changed_at__gt=since,
            changes__has_key="usage_limits",
        )
        .order_by("changed_at", "id")
        .values_list("row_id", "changed_at", "changes__usage_limits")
    ):
        member_changes[row_id].append((when, entry))
    setting_changes = defaultdict(list)
    for key, when, entry in (
        Change.objects.filter(
            table_name=TrackedTable.SETTINGS,
            row_id__in=[rules.COUNTRY_SETTING, rules.HOLIDAYS_SETTING],
            changed_at__gt=since,
            changes__has_key="value",
        )
        .order_by("changed_at", "id")
        .values_list("row_id", "changed_at", "changes__value")
    ):
        # A setting added then did not exist before: the calendar had no value there (not its first one).
        setting_changes[key].append(
            (when, entry if not isinstance(entry, dict) or "before" in entry else {**entry, "before": None})
        )
    country, holidays = rules.calendar_settings()
    return rules.RulesInForce(
        zone=family_zone(),
        now=now,
        limits={
            member.pk: rules.ValueHistory.of(member.usage_limits, member_changes[str(member.pk)]) for member in members
        },
        country=rules.ValueHistory.of(country, setting_changes[rules.COUNTRY_SETTING]),
        holidays=rules.ValueHistory.of(holidays, setting_changes[rules.HOLIDAYS_SETTING]),
    )


def profiles_with_today_command_count(queryset: QuerySet[UserProfile]) -> QuerySet[UserProfile]:
    """Annotate `today_command_count` from today's usage_statistics row (one subquery, no N+1)."""
    today = UsageStatistic.objects.filter(profile_id=OuterRef("pk"), date=local_today()).values("command_count")[:1]
    return queryset.annotate(
        today_command_count=Coalesce(Subquery(today, output_field=IntegerField()), Value(0)),
    )


@dataclass(frozen=True)
class MemberToday:
    """A member's day so far, for the parental-controls page (all times in the family's zone)."""

    day_reason: str  # "Saturday", "Monday, public holiday (Easter Monday)"
    limit_words: str  # "Saturday: weekend limit 90 min"
    limit_minutes: int | None
    minutes_used: float
    windows_left: list[tuple[datetime, datetime, bool]]  # (start, end, open now)
    command_count: int
    recent_commands: list
    refused: list  # (moment, command text, why in words)
    calendar: object


def member_today(*, profile: UserProfile, now: datetime) -> MemberToday:
    """What the page's "Today" box shows: minutes used against today's limit, commands, open windows, refusals."""
    zone = family_zone()
    now = now.astimezone(zone)
    inputs = rules.policy_inputs(profile_id=profile.pk, moment=now)
    controls = rules.controls_of(profile.usage_limits)
    day_type, day_reason = inputs.calendar.day_type(now.date())
    limit, limit_key = controls.limit_for(day_type)
    day_start, _ = day_bounds(now.date(), zone)
    spans = rules.allowed_spans(now.date(), controls, inputs.calendar, zone)
    today = ActivityLog.objects.filter(profile_id=profile.pk, timestamp__gte=day_start, timestamp__lte=now)
    recent = list(today.order_by("-timestamp").only("timestamp", "command_text", "status")[:10])
    refusals = today.filter(refused_by_the_parental_controls()).order_by("-timestamp")
    refused = [
        (row.timestamp, row.command_text, refusal_words(row.metadata, profile.name))
        for row in refusals.only("timestamp", "command_text", "metadata")[:50]
    ]
    return MemberToday(
        day_reason=day_reason,
        limit_words=rules.limit_rule(limit, limit_key, day_reason),
        limit_minutes=limit,
        minutes_used=inputs.used_seconds / 60,
        windows_left=[(start, end, start <= now < end) for start, end in spans if end > now],
        command_count=today.count(),
        recent_commands=recent,
        refused=refused,
        calendar=inputs.calendar,
    )


def parent_requests_pending(*, profile: UserProfile | None = None) -> QuerySet:
    """Requests to a parent still waiting for an answer, oldest first (one member's, or everyone's)."""
    pending = (
        ParentRequest.objects.filter(status=RequestStatus.PENDING).select_related("profile").order_by("created_at")
    )
    return pending.filter(profile=profile) if profile is not None else pending
