"""Writes of the family's rules and of asking a parent: limits, hours, lists, pause, the calendar, requests.

Each checks what a parent entered with `parental.rules` and raises ValidationError by field.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from notify.services import notifications_push
from parental import rules
from parental.models import ParentRequest, RequestKind, RequestStatus
from profiles.models import UserProfile
from profiles.selectors import family_admins
from telemetry.models import Notification, Setting
from telemetry.services import setting_update
from tonnysite.clock import family_zone, local_day, local_midnight
from tonnysite.safe_input import text_problem

# --- the family's rules ----------------------------------------------------------------------------


@transaction.atomic
def parental_controls_save(
    *,
    profile: UserProfile,
    daily_limit_minutes: int | None,
    school_day_limit: int | None,
    weekend_limit: int | None,
    windows: dict[str, list[tuple[int, int]]],
    allowed_commands: list[str] | None,
    blocked_commands: list[str] | None,
) -> UserProfile:
    """Check and save a member's limits (minutes), allowed-hours windows (minutes after midnight, per
    day type: school_day, weekend) and command lists; the pause stays as it is.

    Raises ValidationError by field (daily_limit_minutes, school_day_limit, weekend_limit,
    windows_school_day, windows_weekend, allowed_commands, blocked_commands) with every problem.
    """
    errors: dict[str, list[str]] = {}
    for key, value in (
        (rules.DAILY_LIMIT, daily_limit_minutes),
        (rules.SCHOOL_DAY_LIMIT, school_day_limit),
        (rules.WEEKEND_LIMIT, weekend_limit),
    ):
        if problem := rules.limit_problem(rules.LIMIT_LABELS[key], value):
            errors[key] = [problem]
    unknown = set(windows) - set(rules.DayType.values)
    if unknown:
        raise ValidationError(f"Windows are for {', '.join(rules.DayType.values)}, not {', '.join(sorted(unknown))}.")
    for day_type, pairs in windows.items():
        if problems := rules.windows_problems(day_type, list(pairs or [])):
            errors[rules.WINDOW_FIELDS[day_type]] = problems
    lists = {}
    for name, entries, label in (
        ("allowed_commands", allowed_commands, "Allowed commands"),
        ("blocked_commands", blocked_commands, "Blocked commands"),
    ):
        try:
            lists[name] = rules.command_list_clean(entries=entries, label=label)
        except ValidationError as error:
            errors[name] = error.messages
    if not errors and lists["allowed_commands"] and lists["blocked_commands"]:
        blocked = {rules.command_normalize(entry) for entry in lists["blocked_commands"]}
        both = [entry for entry in lists["allowed_commands"] if rules.command_normalize(entry) in blocked]
        if both:
            errors["blocked_commands"] = [
                f"“{entry}” is in both the allowed and the blocked commands (blocked would win): "
                "keep it in one list only."
                for entry in both
            ]
    if errors:
        raise ValidationError(errors)
    stored = UserProfile.objects.select_for_update().only("usage_limits").get(pk=profile.pk)
    pause = (stored.usage_limits or {}).get(rules.PAUSE) if isinstance(stored.usage_limits, dict) else None
    profile.usage_limits = rules.usage_limits_build(
        daily_limit_minutes=daily_limit_minutes,
        school_day_limit=school_day_limit,
        weekend_limit=weekend_limit,
        windows={k: list(v or []) for k, v in windows.items()},
        pause=pause,
    )
    profile.allowed_commands = lists["allowed_commands"]
    profile.blocked_commands = lists["blocked_commands"]
    profile.save(update_fields=["usage_limits", "allowed_commands", "blocked_commands"])
    return profile


def _usage_limits_pause_set(*, profile: UserProfile, pause: dict | None) -> UserProfile:
    stored = UserProfile.objects.select_for_update().only("usage_limits").get(pk=profile.pk)
    limits = dict(stored.usage_limits) if isinstance(stored.usage_limits, dict) else {}
    limits.pop(rules.PAUSE, None)
    if pause is not None:
        limits[rules.PAUSE] = pause
    profile.usage_limits = limits
    profile.save(update_fields=["usage_limits"])
    return profile


@transaction.atomic
def profile_pause(*, profile: UserProfile, minutes: int | None, now: datetime | None = None) -> UserProfile:
    """Pause the assistant for a member from now, for `minutes` (1 minute to a week) or, with None,
    until a parent resumes it."""
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= rules.MAX_PAUSE_MINUTES
    ):
        raise ValidationError(
            {"pause_minutes": f"A pause lasts 1 to {rules.MAX_PAUSE_MINUTES} minutes (a week), not {minutes!r}."}
        )
    now = now or timezone.now()
    until = None if minutes is None else now + timedelta(minutes=minutes)
    return _usage_limits_pause_set(
        profile=profile, pause={"since": now.isoformat(), "until": until.isoformat() if until else None}
    )


@transaction.atomic
def profile_resume(*, profile: UserProfile) -> UserProfile:
    """End a member's pause now."""
    return _usage_limits_pause_set(profile=profile, pause=None)


def family_calendar_save(
    *, country: str, holidays: list[tuple[date, date, str]], updated_by: UserProfile | None = None
) -> None:
    """Save the family's country (its public holidays are not school days; "" for none) and its own
    holiday ranges (first day, last day, name), in the settings family.country and family.holidays."""
    country = country.strip().upper()
    if country and not rules.country_is_known(country):
        raise ValidationError(
            {"country": f"“{country[:20]}” is not a country code the holiday calendar knows (such as DE or DE-BY)."}
        )
    problems = []
    for first, last, name in holidays:
        if last < first:
            problems.append(f"The holiday “{name}” ends ({last}) before it starts ({first}).")
        if len(name) > 100 or text_problem(name):
            problems.append(f"A holiday's name is at most 100 characters of plain text: “{name[:40]!r}”.")
    if problems:
        raise ValidationError({"holidays": problems})
    values = {
        rules.COUNTRY_SETTING: country,
        rules.HOLIDAYS_SETTING: [
            {"from": first.isoformat(), "to": last.isoformat(), "name": name} for first, last, name in holidays
        ],
    }
    with transaction.atomic():
        stored = {s.key: s for s in Setting.objects.filter(key__in=values)}
        for key, value in values.items():
            setting = stored.get(key) or Setting(key=key, category="family", default_value=type(value)())
            setting_update(setting=setting, value=value, updated_by=updated_by)


# --- asking a parent -------------------------------------------------------------------------------


class ApprovalLength:
    """How long a parent's yes holds."""

    QUARTER_HOUR = "15m"
    HOUR = "1h"
    REST_OF_DAY = "day"
    LABELS = {QUARTER_HOUR: "15 minutes", HOUR: "1 hour", REST_OF_DAY: "the rest of the day"}


def approval_end(*, length: str, now: datetime) -> datetime:
    if length == ApprovalLength.QUARTER_HOUR:
        return now + timedelta(minutes=15)
    if length == ApprovalLength.HOUR:
        return now + timedelta(hours=1)
    if length == ApprovalLength.REST_OF_DAY:
        return local_midnight(local_day(now) + timedelta(days=1))
    raise ValidationError({"length": f"An approval lasts {', '.join(ApprovalLength.LABELS.values())}."})


@transaction.atomic
def parent_request_create(
    *, profile: UserProfile, kind: str, command: str | None = None, message: str = "", device: str = ""
) -> tuple[ParentRequest, bool]:
    """A member asks the family admins for more time or for one refused command.

    Returns the request and whether it is new: asking again while the same request waits returns
    the waiting one. Each family admin gets a notification (pushed by the worker).
    """
    if kind not in RequestKind.values:
        raise ValidationError({"kind": "Ask for more_time or for one command."})
    command = (command or "").strip()
    if kind == RequestKind.COMMAND and not rules.command_normalize(command):
        raise ValidationError({"command": "Say which command to allow."})
    decision = rules.policy_decide(profile=profile, command=command or "")
    if decision.allowed:
        raise ValidationError({"kind": f"Nothing to ask: {decision.message}"})
    key = rules.command_normalize(command) if kind == RequestKind.COMMAND else None
    waiting = ParentRequest.objects.filter(profile=profile, kind=kind, command_key=key, status=RequestStatus.PENDING)
    if (existing := waiting.first()) is not None:
        return existing, False
    request = ParentRequest.objects.create(
        profile=profile, kind=kind, command=command or None, command_key=key, reason=decision.reason,
        message=message[:1000], device=device[:100],
    )  # fmt: skip
    what = "more Tonny time" if kind == RequestKind.MORE_TIME else f"to run “{command[:80]}”"
    notifications_push(
        profiles=family_admins(),
        notification_type="parent_request",
        title=f"{profile.name} asks for {what}",
        message=f"{profile.name} asks for {what} ({decision.message})"
        + (f": “{message}”" if message else ".")
        + f"\nAnswer: {settings.TONNY_SITE_URL}{reverse('admin:index')}#parent-requests",
        priority=8,
        metadata={"request_id": str(request.pk)},
    )
    return request, True


@transaction.atomic
def parent_request_decide(
    *, request: ParentRequest, approve: bool, length: str | None, decided_by: UserProfile | None
) -> ParentRequest:
    """Approve (for 15 minutes, an hour or the rest of the day) or decline a waiting request; tell the member."""
    request = ParentRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise ValidationError(f"This request was answered already ({request.get_status_display().lower()}).")
    now = timezone.now()
    request.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    request.decided_at, request.decided_by = now, decided_by
    if approve:
        request.approved_until = approval_end(length=length or "", now=now)
    request.save()
    who = decided_by.name if decided_by else "A grown-up"
    if approve:
        until = request.approved_until.astimezone(family_zone())
        answer = f"{who} said yes until {until:%H:%M}."
    else:
        answer = f"{who} said no this time."
    Notification.objects.create(
        profile=request.profile, notification_type="parent_answer", title="Your grown-up answered", message=answer,
        priority=7, metadata={"request_id": str(request.pk), "channel": "tray"},
    )  # fmt: skip
    # The other parents were told of the request: tell them it needs no second answer.
    asked = "more time" if request.kind == RequestKind.MORE_TIME else f"“{(request.command or '')[:80]}”"
    notifications_push(
        profiles=family_admins().exclude(pk=decided_by.pk if decided_by else None),
        notification_type="request_answered",
        title=f"{request.profile.name}'s request was answered",
        message=f"{request.profile.name} asked for {asked}: {answer} Nothing more to do.",
        priority=6,
        metadata={"request_id": str(request.pk)},
    )
    return request


def parent_approvals_use(*, ran: Iterable[tuple[uuid.UUID, str]]) -> None:
    """Use up the one-command approvals of the commands that ran: (member id, command text) pairs of
    commands recorded as not refused."""
    ran = {(profile_id, rules.command_normalize(text)) for profile_id, text in ran}
    if not ran:
        return
    condition = Q()
    for profile_id, key in ran:
        condition |= Q(profile_id=profile_id, command_key=key)
    ParentRequest.objects.filter(
        condition, kind=RequestKind.COMMAND, status=RequestStatus.APPROVED, used_at=None
    ).update(used_at=timezone.now())


@transaction.atomic
def parent_requests_delete(*, requests: QuerySet[ParentRequest]) -> int:
    """Delete requests to a parent (an approval that still holds ends with it); returns how many."""
    return requests.delete()[0]
