"""The policy decision and its wording: may this member run this command now, and why (not)?"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.utils import timezone

from activity.models import REFUSED_ERROR_TYPE, PolicyReason
from parental.models import ParentRequest, RequestKind, RequestStatus
from parental.rules.calendar import COUNTRY_SETTING, HOLIDAYS_SETTING, DayType, FamilyCalendar, json_value
from parental.rules.commands import command_normalize, first_match
from parental.rules.limits import (
    ALLOWED_HOURS,
    DAILY_LIMIT,
    DAY_MINUTES,
    SCHOOL_DAY_LIMIT,
    WEEKEND_LIMIT,
    ParentalControls,
    controls_of,
)
from profiles.models import UserProfile
from tonnysite.clock import day_bounds, family_zone, local_moment

# Looking further ahead than this for "allowed again at" means "not by itself".
UNTIL_SEARCH_DAYS = 400

# How a refusal is recorded and why, in the activity log's own terms (activity.models).
Reason = PolicyReason


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    message: str  # for the child
    rule: str  # for the parents: which rule applied
    until: datetime | None  # when the answer changes next; None: not by itself
    moment: datetime
    day_type: str | None = None
    day_reason: str | None = None  # "Saturday", "Monday, public holiday (…)"
    minutes_used: float | None = None
    limit_minutes: int | None = None
    limit_key: str | None = None

    def to_json(self) -> dict:
        return {
            "allowed": self.allowed,
            "reason": self.reason,
            "message": self.message,
            "rule": self.rule,
            "until": self.until.isoformat() if self.until else None,
            "at": self.moment.isoformat(),
            "day": self.day_reason,
            "minutes_used": None if self.minutes_used is None else round(self.minutes_used, 1),
            "limit_minutes": self.limit_minutes,
        }


# One statement: the family's calendar, the seconds of the member's sessions that fall on
# [day_start, moment) (an open session counts up to the moment) and whether one was open then.
# policy_sessions_used (profiles migration 0007) reads the sessions in three index ranges, so a
# year of sessions is never scanned; being PL/pgSQL, its plan is made once per connection.
_POLICY_INPUTS_SQL = """
SELECT
    (SELECT value FROM settings WHERE key = %(country_key)s),
    (SELECT value FROM settings WHERE key = %(holidays_key)s),
    used.seconds,
    used.session_open
FROM policy_sessions_used(%(profile_id)s, %(day_start)s, %(moment)s) AS used
"""


@dataclass(frozen=True)
class PolicyInputs:
    calendar: FamilyCalendar
    used_seconds: float  # on the local day of the moment, up to the moment
    session_open: bool  # a session of the member was open at the moment


def policy_inputs(*, profile_id: uuid.UUID, moment: datetime) -> PolicyInputs:
    """The family's calendar and the member's use of the local day of `moment`, in one query."""
    zone = family_zone()
    day_start, _ = day_bounds(moment.astimezone(zone).date(), zone)
    with connection.cursor() as cursor:
        cursor.execute(
            _POLICY_INPUTS_SQL,
            {
                "country_key": COUNTRY_SETTING,
                "holidays_key": HOLIDAYS_SETTING,
                "profile_id": profile_id,
                "day_start": day_start,
                "moment": moment,
            },
        )
        country, holidays, seconds, session_open = cursor.fetchone()
    calendar = FamilyCalendar.from_settings(json_value(country), json_value(holidays))
    return PolicyInputs(calendar=calendar, used_seconds=max(0.0, float(seconds or 0)), session_open=bool(session_open))


def allowed_spans(
    day: date, controls: ParentalControls, calendar: FamilyCalendar, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The allowed-hours spans of the local day `day` as moments, clipped to the day.

    A window belongs to the day it starts on, so the day also gets the morning tail of
    the previous day's windows that cross midnight.
    """
    day_start, day_end = day_bounds(day, zone)
    spans = []
    previous_windows = controls.windows_for(calendar.day_type(day - timedelta(days=1))[0])
    for window in previous_windows or ():
        if window.crosses_midnight and window.end:
            spans.append((day_start, local_moment(day, window.end, zone)))
    windows = controls.windows_for(calendar.day_type(day)[0])
    if windows is None:
        spans.append((day_start, day_end))
    for window in windows or ():
        end = day_end if window.crosses_midnight or window.end == DAY_MINUTES else local_moment(day, window.end, zone)
        spans.append((local_moment(day, window.start, zone), end))
    return _merged(spans)


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _usable_spans(
    day: date, controls: ParentalControls, calendar: FamilyCalendar, zone: ZoneInfo, used_seconds: float
) -> list[tuple[datetime, datetime]]:
    """Allowed spans of `day` if the member has used `used_seconds` of it: none once the limit is used up."""
    limit, _ = controls.limit_for(calendar.day_type(day)[0])
    if limit is not None and used_seconds >= limit * 60:
        return []
    return allowed_spans(day, controls, calendar, zone)


def _next_allowed(
    moment: datetime, controls: ParentalControls, calendar: FamilyCalendar, zone: ZoneInfo, used_today: float
) -> datetime | None:
    """The first moment from `moment` on when the hours and the limit allow use again (no more use assumed)."""
    today = moment.astimezone(zone).date()
    for offset in range(UNTIL_SEARCH_DAYS):
        day = today + timedelta(days=offset)
        for start, end in _usable_spans(day, controls, calendar, zone, used_today if offset == 0 else 0.0):
            if end > moment:
                return max(start, moment)
    return None


def _allowed_until(
    moment: datetime,
    controls: ParentalControls,
    calendar: FamilyCalendar,
    zone: ZoneInfo,
    used_today: float,
    open_session: bool,
) -> datetime | None:
    """When an allowed answer turns into a refusal: the end of the allowed time, or, while a session
    is open, when it uses up the day's limit; None when nothing ends it."""
    today = moment.astimezone(zone).date()
    candidates = []
    limit, _ = controls.limit_for(calendar.day_type(today)[0])
    if limit is not None and open_session:
        candidates.append(moment + timedelta(seconds=limit * 60 - used_today))
    end = moment
    for offset in range(8):
        day = today + timedelta(days=offset)
        spans = _usable_spans(day, controls, calendar, zone, used_today if offset == 0 else 0.0)
        span = next(((s, e) for s, e in spans if s <= end < e), None)
        if span is None:
            candidates.append(end)
            break
        end = span[1]
        if end < day_bounds(day, zone)[1]:
            candidates.append(end)
            break
    return min(candidates) if candidates else None


def _when(moment: datetime, until: datetime, zone: ZoneInfo) -> str:
    """ "at 07:00", "tomorrow at 07:00" or "on Monday 30 November at 07:00", in the family's zone."""
    local, here = until.astimezone(zone), moment.astimezone(zone)
    days = (local.date() - here.date()).days
    clock = local.strftime("%H:%M")
    if days == 0:
        return f"at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"on {local.strftime('%A')} {local.day} {local.strftime('%B')} at {clock}"


def policy_decide(*, profile: UserProfile, command: str, at: datetime | None = None) -> Decision:
    """Decide whether `profile` may run `command` at `at` (default: now); see the module's docstring.

    One query (the calendar and the minutes used) when a time rule applies, and one more when
    the answer would be a refusal (a parent's approval that holds); at most two.
    """
    zone = family_zone()
    moment = (at or timezone.now()).astimezone(zone)
    controls = controls_of(profile.usage_limits)

    def refused(reason: str, message: str, rule: str, until: datetime | None = None, **more) -> Decision:
        return Decision(False, reason, message, rule, until, moment, **more)

    if profile.is_active is False:
        return refused(Reason.INACTIVE, "Tonny is switched off for you. Ask a grown-up.", "the profile is not active")
    if controls.pause is not None and controls.pause.covers(moment):
        until = controls.pause.until
        if until is None:
            return refused(
                Reason.PAUSED,
                "Tonny is taking a break. Ask a grown-up to switch it back on.",
                "paused until a parent resumes",
            )
        return refused(
            Reason.PAUSED,
            f"Tonny is taking a break. Try again {_when(moment, until, zone)}.",
            f"paused until {until.astimezone(zone):%Y-%m-%d %H:%M}",
            until,
        )
    blocked = first_match(profile.blocked_commands, command, anywhere=True)
    if blocked is not None:
        return approved_instead(profile, command, moment, kinds=(RequestKind.COMMAND,)) or refused(
            Reason.BLOCKED_COMMAND, "Sorry, that is something Tonny can't do for you.", f"blocked command “{blocked}”"
        )
    if profile.allowed_commands is not None and first_match(profile.allowed_commands, command, anywhere=False) is None:
        return approved_instead(profile, command, moment, kinds=(RequestKind.COMMAND,)) or refused(
            Reason.NOT_IN_ALLOWED_LIST,
            "Sorry, Tonny can't do that for you. Ask a grown-up to add it to your list.",
            f"not one of the {len(profile.allowed_commands)} allowed commands",
        )
    if not controls.has_time_rules:
        return Decision(True, Reason.ALLOWED, "Sure!", "no rule limits this command", None, moment)

    inputs = policy_inputs(profile_id=profile.pk, moment=moment)
    calendar, used = inputs.calendar, inputs.used_seconds
    today = moment.date()
    day_type, day_reason = calendar.day_type(today)
    limit, limit_key = controls.limit_for(day_type)
    facts = {
        "day_type": day_type,
        "day_reason": day_reason,
        "minutes_used": used / 60,
        "limit_minutes": limit,
        "limit_key": limit_key if limit is not None else None,
    }
    spans = allowed_spans(today, controls, calendar, zone)
    in_hours = any(start <= moment < end for start, end in spans)
    if not in_hours or (limit is not None and used >= limit * 60):
        until = _next_allowed(moment, controls, calendar, zone, used)
        when = _when(moment, until, zone) if until else None
        if not in_hours:
            reason, rule = Reason.OUTSIDE_ALLOWED_HOURS, hours_rule(controls, day_type, day_reason)
            message = "It's not Tonny time right now." + (f" You can ask again {when}." if when else "")
        else:
            reason, rule = Reason.DAILY_LIMIT_REACHED, limit_rule(limit, limit_key, day_reason)
            message = f"You've used all your Tonny time for today ({limit} minutes)."
            message += f" See you {when}!" if when else ""
        approved = approved_instead(profile, command, moment, kinds=(RequestKind.MORE_TIME, RequestKind.COMMAND))
        return approved or refused(reason, message, rule, until, **facts)
    until = _allowed_until(moment, controls, calendar, zone, used, inputs.session_open)
    left = f" You have {max(0, int(limit - used / 60))} minutes left today." if limit is not None else ""
    rule = allowed_rule(controls, day_type, day_reason, limit, limit_key)
    return Decision(True, Reason.ALLOWED, f"Sure!{left}", rule, until, moment, **facts)


def approved_instead(profile: UserProfile, command: str, moment: datetime, *, kinds) -> Decision | None:
    """The allowed answer a parent's approval gives instead of a refusal, or None when none holds.

    More time lifts the hours and the limit; one command lifts every rule but a pause or a
    switched-off profile for that command, until it has run once (`used_at`). One query.
    """
    approval = (
        ParentRequest.objects.filter(profile=profile, status=RequestStatus.APPROVED, approved_until__gt=moment)
        .filter(
            models.Q(kind=RequestKind.MORE_TIME, kind__in=kinds)
            | models.Q(kind=RequestKind.COMMAND, kind__in=kinds, command_key=command_normalize(command), used_at=None)
        )
        .order_by("-approved_until")
        .values_list("kind", "approved_until")
        .first()
    )
    if approval is None:
        return None
    kind, until = approval
    zone = moment.tzinfo
    what = "more Tonny time" if kind == RequestKind.MORE_TIME else "this one"
    return Decision(
        True,
        Reason.APPROVED_BY_PARENT,
        f"A grown-up said yes to {what} until {until.astimezone(zone):%H:%M}.",
        f"approved by a parent ({RequestKind(kind).label.lower()}) until {until.astimezone(zone):%Y-%m-%d %H:%M}",
        until,
        moment,
    )


def hours_rule(controls: ParentalControls, day_type: str, day_reason: str) -> str:
    windows = controls.windows_for(day_type)
    if not windows:
        return f"{day_reason}: no allowed hours" if windows == () else f"{day_reason}: no hour restriction"
    labels = ", ".join(w.label() for w in windows)
    if controls.windows_source == ALLOWED_HOURS:
        return f"{day_reason}: allowed hours {labels}"
    return f"{day_reason}: allowed hours on {DayType(day_type).label} {labels}"


def limit_rule(limit: int | None, limit_key: str | None, day_reason: str) -> str:
    """In words which limit applies and why: "Saturday: weekend limit 90 min"."""
    if limit is None:
        return f"{day_reason}: no daily limit"
    words = {SCHOOL_DAY_LIMIT: "school-day limit", WEEKEND_LIMIT: "weekend limit", DAILY_LIMIT: "daily limit"}
    return f"{day_reason}: {words[limit_key]} {limit} min"


def allowed_rule(controls, day_type, day_reason, limit, limit_key) -> str:
    return f"{hours_rule(controls, day_type, day_reason)}; {limit_rule(limit, limit_key, day_reason).split(': ', 1)[1]}"


def refusal_metadata(decision: Decision) -> dict:
    """The activity_logs.metadata with which a refused command is recorded (status failed)."""
    return {"error_type": REFUSED_ERROR_TYPE, "policy": {"reason": decision.reason, "rule": decision.rule}}
