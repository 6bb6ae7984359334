"""Reads for family members: who a login is, what they may see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from profiles.models import ParentRequest, PermissionLevel, QuickAction, RequestStatus, UserProfile
from tonnysite.clock import day_bounds, family_zone
from tonnysite.safe_input import text_problem


def profile_of_user(user) -> UserProfile | None:
    """The profile a signed-in user acts as, or None (anonymous, or a login without a profile)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return UserProfile.objects.filter(login__user_id=user.pk).first()


def profile_and_role_of_user(user) -> tuple[UserProfile | None, str | None]:
    """The profile a signed-in user acts as and its role.

    A superuser without a profile (made by `createsuperuser`) counts as a family admin;
    anyone else without a profile has no role.
    """
    profile = profile_of_user(user)
    if profile is not None:
        return profile, profile.permission_level
    if getattr(user, "is_superuser", False) and user.is_active:
        return None, PermissionLevel.ADMIN
    return None, None


def profiles_with_today_command_count(queryset: QuerySet[UserProfile]) -> QuerySet[UserProfile]:
    """Annotate `today_command_count` from today's usage_statistics row (one subquery, no N+1)."""
    from activity.models import UsageStatistic

    today = UsageStatistic.objects.filter(profile_id=OuterRef("pk"), date=timezone.localdate()).values("command_count")[
        :1
    ]
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
    refused: list  # (moment, command text, reason code)
    calendar: object


def member_today(*, profile: UserProfile, now: datetime) -> MemberToday:
    """What the page's "Today" box shows: minutes used against today's limit, commands, open windows, refusals."""
    from activity.models import ActivityLog
    from profiles import policy

    zone = family_zone()
    now = now.astimezone(zone)
    inputs = policy.policy_inputs(profile_id=profile.pk, moment=now)
    controls = policy.controls_of(profile.usage_limits)
    day_type, day_reason = inputs.calendar.day_type(now.date())
    limit, limit_key = controls.limit_for(day_type)
    day_start, _ = day_bounds(now.date(), zone)
    spans = policy.allowed_spans(now.date(), controls, inputs.calendar, zone)
    today = ActivityLog.objects.filter(profile_id=profile.pk, timestamp__gte=day_start, timestamp__lte=now)
    recent = list(today.order_by("-timestamp").only("timestamp", "command_text", "status")[:10])
    refusals = today.filter(metadata__contains={"error_type": policy.REFUSED_ERROR_TYPE}).order_by("-timestamp")
    refused = [
        (row.timestamp, row.command_text, ((row.metadata or {}).get("policy") or {}).get("reason", "refused"))
        for row in refusals.only("timestamp", "command_text", "metadata")[:50]
    ]
    return MemberToday(
        day_reason=day_reason,
        limit_words=policy.limit_rule(limit, limit_key, day_reason),
        limit_minutes=limit,
        minutes_used=inputs.used_seconds / 60,
        windows_left=[(start, end, start <= now < end) for start, end in spans if end > now],
        command_count=today.count(),
        recent_commands=recent,
        refused=refused,
        calendar=inputs.calendar,
    )


QUICK_ACTION_USE_DAYS = 30


def quick_actions_with_recent_uses(queryset: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """Annotate `recent_uses`: commands the action triggered in the last 30 days (one subquery, no N+1)."""
    from activity.models import CommandHistory

    since = (now or timezone.now()) - timedelta(days=QUICK_ACTION_USE_DAYS)
    uses = (
        CommandHistory.objects.filter(quick_action_id=OuterRef("pk"), timestamp__gte=since)
        .order_by()
        .values("quick_action_id")
        .annotate(count=Count("*"))
        .values("count")
    )
    return queryset.annotate(
        recent_uses=Coalesce(Subquery(uses, output_field=IntegerField()), Value(0)),
        command_count=Coalesce(
            Func(F("command_sequence"), function="cardinality", output_field=IntegerField()), Value(0)
        ),
    )


def quick_action_categories() -> list[str]:
    """Every category the quick actions use, sorted (one query)."""
    # GROUP BY rather than DISTINCT: the change lists never run SELECT DISTINCT.
    return list(
        QuickAction.objects.annotate(category=KT("metadata__category"))
        .exclude(category__isnull=True)
        .exclude(category="")
        .values("category")
        .annotate(actions=Count("*"))
        .order_by("category")
        .values_list("category", flat=True)
    )


def parent_requests_pending(*, profile: UserProfile | None = None) -> QuerySet:
    """Requests to a parent still waiting for an answer, oldest first (one member's, or everyone's)."""
    pending = (
        ParentRequest.objects.filter(status=RequestStatus.PENDING).select_related("profile").order_by("created_at")
    )
    return pending.filter(profile=profile) if profile is not None else pending


def member_by_name_or_id(text: str) -> UserProfile | None:
    """The member named `text` (any case) or with the id `text`, or None (commands take either)."""
    text = text.strip()
    if not text or text_problem(text):
        return None
    try:
        condition = Q(pk=uuid.UUID(text))
    except ValueError:
        condition = Q(name__iexact=text)
    return UserProfile.objects.filter(condition).first()
