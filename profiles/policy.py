"""The policy decision: may this member run this command at this moment, and why (not)?

One function, `policy_decide`, answers for the admin's preview, `manage.py policy_check`
and the tray API. It reads the parental controls stored in the seed's columns
(`user_profiles.is_active`, `allowed_commands`, `blocked_commands`, `usage_limits`), the
family's calendar (settings `family.country` and `family.holidays`), the member's sessions
of the local day and, before refusing, a parent's approval that holds (`parent_requests`);
it costs at most two queries (none to read the profile when the caller has it, one for the
calendar and the minutes used, one for an approval when the answer would be a refusal).

Reasons, in order of precedence (the first that applies wins): `inactive`, `paused`,
`blocked_command`, `not_in_allowed_list`, `outside_allowed_hours`, `daily_limit_reached`,
`allowed`. A refusal other than `inactive` and `paused` turns into `approved_by_parent` while a
parent's approval holds.

`usage_limits` (all keys optional; see the README for the full shape):

- the seed's keys, meaning what they always meant: `daily_limit_minutes`,
  `allowed_hours` ([from, to] whole hours, from included, to excluded, from > to crosses
  midnight, to may be 24), `school_day_limit`, `weekend_limit`;
- `windows`: {"school_day": [["07:00", "08:15"], ...], "weekend": [...]} with minute
  resolution; when present it replaces `allowed_hours` (which then is a conservative
  summary for clients that only know the seed's keys); a day type without windows has no
  hour restriction;
- `pause`: {"since": ISO time, "until": ISO time or null (until resumed)}.

A window belongs to the local day it starts on: a Friday window 21:00-07:00 runs to
Saturday 07:00. "Weekend" means every day that is not a school day: Saturdays, Sundays,
public holidays of the family's country and the family's own holiday ranges.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.utils import timezone

from profiles.models import ParentRequest, RequestKind, RequestStatus, UserProfile
from tonnysite.clock import day_bounds, family_zone, local_moment

DAY_MINUTES = 24 * 60
# Looking further ahead than this for "allowed again at" means "not by itself".
UNTIL_SEARCH_DAYS = 400

# Keys of usage_limits.
DAILY_LIMIT = "daily_limit_minutes"
ALLOWED_HOURS = "allowed_hours"
SCHOOL_DAY_LIMIT = "school_day_limit"
WEEKEND_LIMIT = "weekend_limit"
WINDOWS = "windows"
PAUSE = "pause"
SEED_KEYS = (DAILY_LIMIT, ALLOWED_HOURS, SCHOOL_DAY_LIMIT, WEEKEND_LIMIT)
USAGE_LIMITS_KEYS = (*SEED_KEYS, WINDOWS, PAUSE)

# Settings of the family's calendar (made by telemetry migration 0007).
COUNTRY_SETTING = "family.country"
HOLIDAYS_SETTING = "family.holidays"

# How the tray records a refused command in activity_logs.metadata (see README).
REFUSED_ERROR_TYPE = "policy_refused"


class Reason(models.TextChoices):
    """Why a command is refused or allowed, in order of precedence."""

    INACTIVE = "inactive", "Profile switched off"
    PAUSED = "paused", "Paused"
    BLOCKED_COMMAND = "blocked_command", "Blocked command"
    NOT_IN_ALLOWED_LIST = "not_in_allowed_list", "Not in the allowed list"
    OUTSIDE_ALLOWED_HOURS = "outside_allowed_hours", "Outside the allowed hours"
    DAILY_LIMIT_REACHED = "daily_limit_reached", "Daily limit reached"
    APPROVED_BY_PARENT = "approved_by_parent", "Approved by a parent"
    ALLOWED = "allowed", "Allowed"


class DayType(models.TextChoices):
    SCHOOL_DAY = "school_day", "school days"
    WEEKEND = "weekend", "weekends and holidays"


# ---------------------------------------------------------------------------------------------
# Matching commands


_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NOT_A_WORD = re.compile(r"[^\w*]+|_+")
_WILDCARD = re.compile(r"\s*\*\s*")


def command_normalize(text: str) -> str:
    """The text a command is matched by: words of letters and digits, lowercase, one space apart.

    Unicode is folded (NFKC, casefold); apostrophes vanish ("what's" is "whats"); every
    other run of characters that are not letters or digits (punctuation, underscores,
    spaces) is one space. So `play_music`, "Play music!" and " PLAY   music " are all
    "play music". A `*` stays as a word of its own: the wildcard of a list entry.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _WILDCARD.sub(" * ", text)
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


@functools.lru_cache(maxsize=4096)
def _entry_pattern(entry: str, *, anywhere: bool) -> re.Pattern | None:
    words = command_normalize(entry).split()
    if not words:
        return None
    parts = [r"(?:\S+(?: \S+)*)?" if word == "*" else re.escape(word) for word in words]
    # Join with optional spaces around a wildcard, so "play * music" matches "play music".
    body = ""
    for index, part in enumerate(parts):
        if index:
            body += " ?" if "*" in (words[index], words[index - 1]) else " "
        body += part
    if anywhere:
        return re.compile(rf"(?:^| ){body}(?: |$)")
    return re.compile(rf"^{body}$")


def command_matches(entry: str, command: str, *, anywhere: bool) -> bool:
    """Whether a list entry matches a command, both normalised (see `command_normalize`).

    An allowed-list entry must match the whole command (`anywhere=False`): "play music"
    allows "Play music!" but not "Play some music!" nor "play music and unlock the door".
    A blocked-list entry matches any run of whole words of the command (`anywhere=True`):
    "buy" blocks "Buy me a game" but not "goodbye". In both lists `*` stands for any
    words, none included: "play * music" allows "play some music" and "play music".
    """
    pattern = _entry_pattern(entry, anywhere=anywhere)
    if pattern is None:
        return False
    return pattern.search(command_normalize(command)) is not None


def _first_match(entries, command: str, *, anywhere: bool) -> str | None:
    normalized = command_normalize(command)
    for entry in entries or ():
        pattern = _entry_pattern(entry, anywhere=anywhere)
        if pattern is not None and pattern.search(normalized):
            return entry
    return None


# ---------------------------------------------------------------------------------------------
# Reading usage_limits


@dataclass(frozen=True)
class Window:
    """Allowed time of a day, in minutes after local midnight; `end <= start` crosses midnight."""

    start: int
    end: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def label(self) -> str:
        return f"{minutes_label(self.start)}–{minutes_label(self.end % DAY_MINUTES)}"

    def to_json(self) -> list[str]:
        return [minutes_label(self.start), minutes_label(self.end % DAY_MINUTES)]


def minutes_label(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def clock_minutes(text) -> int | None:
    """Minutes after midnight of "HH:MM" (00:00 to 23:59), or None when it is not such a time."""
    match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
    return int(match[1]) * 60 + int(match[2]) if match else None


def _whole_number(value, *, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    return int(value) if low <= value <= high else None


@dataclass(frozen=True)
class Pause:
    since: datetime | None
    until: datetime | None  # None: until a parent resumes

    def covers(self, moment: datetime) -> bool:
        return (self.since is None or self.since <= moment) and (self.until is None or moment < self.until)


@dataclass(frozen=True)
class ParentalControls:
    """What a profile's usage_limits say, read leniently: what cannot be read is in `problems`."""

    daily_limit: int | None = None
    school_day_limit: int | None = None
    weekend_limit: int | None = None
    # Per day type: None means no hour restriction; () means no allowed time at all.
    windows: dict[str, tuple[Window, ...] | None] = field(default_factory=dict)
    windows_source: str | None = None  # "windows", "allowed_hours" or None
    pause: Pause | None = None
    problems: tuple[str, ...] = ()

    def limit_for(self, day_type: str) -> tuple[int | None, str]:
        """Minutes allowed on a day of `day_type`, and the usage_limits key it comes from."""
        specific, key = (
            (self.school_day_limit, SCHOOL_DAY_LIMIT)
            if day_type == DayType.SCHOOL_DAY
            else (self.weekend_limit, WEEKEND_LIMIT)
        )
        if specific is not None:
            return specific, key
        return self.daily_limit, DAILY_LIMIT

    def windows_for(self, day_type: str) -> tuple[Window, ...] | None:
        return self.windows.get(day_type)

    @property
    def has_time_rules(self) -> bool:
        return any(v is not None for v in (self.daily_limit, self.school_day_limit, self.weekend_limit)) or any(
            w is not None for w in self.windows.values()
        )


def _parse_moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def controls_of(usage_limits) -> ParentalControls:
    """Read a usage_limits value as stored (by the page, the tray or plain SQL) without failing.

    A key whose value cannot be read is left out and named in `problems`, so the page can
    say so; unknown keys are named too.
    """
    limits = usage_limits if isinstance(usage_limits, dict) else {}
    problems = [] if isinstance(usage_limits, dict) or usage_limits is None else ["usage_limits is not an object"]
    numbers = {}
    for key in (DAILY_LIMIT, SCHOOL_DAY_LIMIT, WEEKEND_LIMIT):
        value = limits.get(key)
        numbers[key] = _whole_number(value, low=0, high=DAY_MINUTES)
        if value is not None and numbers[key] is None:
            problems.append(f"{key} {json.dumps(value)[:40]} is not a number of minutes from 0 to 1440")
    windows: dict[str, tuple[Window, ...] | None] = {}
    source = None
    if WINDOWS in limits:
        parsed = _windows_parse(limits[WINDOWS], problems)
        if parsed is not None:
            windows, source = parsed, WINDOWS
    if source is None and limits.get(ALLOWED_HOURS) is not None:
        hours = _allowed_hours_window(limits[ALLOWED_HOURS])
        if hours is None:
            problems.append(f"allowed_hours {json.dumps(limits[ALLOWED_HOURS])[:40]} is not [from, to] in whole hours")
        else:
            windows = {day_type: hours for day_type in DayType.values}
            source = ALLOWED_HOURS
    pause = None
    if limits.get(PAUSE) is not None:
        raw = limits[PAUSE]
        if isinstance(raw, dict) and (raw.get("until") is None or _parse_moment(raw.get("until"))):
            pause = Pause(since=_parse_moment(raw.get("since")), until=_parse_moment(raw.get("until")))
        else:
            problems.append("pause is not {since, until}")
    unknown = sorted(set(limits) - set(USAGE_LIMITS_KEYS))
    if unknown:
        problems.append(f"unknown keys: {', '.join(unknown)}")
    return ParentalControls(
        daily_limit=numbers[DAILY_LIMIT],
        school_day_limit=numbers[SCHOOL_DAY_LIMIT],
        weekend_limit=numbers[WEEKEND_LIMIT],
        windows=windows,
        windows_source=source,
        pause=pause,
        problems=tuple(problems),
    )


def _allowed_hours_window(value) -> tuple[Window, ...] | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    start, end = _whole_number(value[0], low=0, high=23), _whole_number(value[1], low=0, high=24)
    if start is None or end is None:
        return None
    if start == end:
        return ()  # from included, to excluded: no hour at all
    if end == 24:
        return (Window(start * 60, DAY_MINUTES),) if start else (Window(0, DAY_MINUTES),)
    return (Window(start * 60, end * 60),)


def _windows_parse(value, problems: list[str]) -> dict[str, tuple[Window, ...] | None] | None:
    if not isinstance(value, dict):
        problems.append("windows is not an object")
        return None
    parsed: dict[str, tuple[Window, ...] | None] = {}
    for day_type in DayType.values:
        raw = value.get(day_type)
        if raw is None or raw == []:
            parsed[day_type] = None
            continue
        if not isinstance(raw, list):
            problems.append(f"windows.{day_type} is not a list")
            return None
        day_windows = []
        for pair in raw:
            start = clock_minutes(pair[0]) if isinstance(pair, list) and len(pair) == 2 else None
            end = clock_minutes(pair[1]) if start is not None else None
            if start is None or end is None or start == end:
                problems.append(f'windows.{day_type} has {json.dumps(pair)[:40]}, not ["HH:MM", "HH:MM"]')
                return None
            day_windows.append(Window(start, end))
        parsed[day_type] = tuple(sorted(day_windows, key=lambda w: w.start))
    return parsed


# ---------------------------------------------------------------------------------------------
# The family's calendar


@dataclass(frozen=True)
class FamilyHoliday:
    first: date
    last: date
    name: str


@dataclass(frozen=True)
class FamilyCalendar:
    """School days: Monday to Friday, except public holidays of `country` and the family's holidays."""

    country: str | None = None  # "DE" or with a subdivision "DE-BY"
    holidays: tuple[FamilyHoliday, ...] = ()

    def day_type(self, day: date) -> tuple[str, str]:
        """(school_day or weekend, why in words), e.g. ("weekend", "Saturday")."""
        weekday = day.strftime("%A")
        if day.weekday() >= 5:
            return DayType.WEEKEND, weekday
        public = public_holiday_name(self.country, day)
        if public:
            return DayType.WEEKEND, f"{weekday}, public holiday ({public})"
        for holiday in self.holidays:
            if holiday.first <= day <= holiday.last:
                return DayType.WEEKEND, f"{weekday}, family holiday ({holiday.name})"
        return DayType.SCHOOL_DAY, f"{weekday}, a school day"

    @classmethod
    def from_settings(cls, country, holidays) -> FamilyCalendar:
        """The calendar from the settings' JSON values, skipping what cannot be read."""
        country = country if isinstance(country, str) and country and country_is_known(country) else None
        ranges = []
        for item in holidays if isinstance(holidays, list) else []:
            try:
                first, last = date.fromisoformat(item["from"]), date.fromisoformat(item["to"])
            except (TypeError, KeyError, ValueError):
                continue
            ranges.append(FamilyHoliday(first, last, str(item.get("name") or "holiday")))
        return cls(country=country, holidays=tuple(ranges))


@functools.cache
def _supported_countries() -> dict[str, list[str]]:
    import holidays

    return holidays.list_supported_countries()


def country_is_known(code: str) -> bool:
    """Whether `code` ("DE", "DE-BY") names a country (and subdivision) the holidays package knows."""
    country, _, subdivision = code.partition("-")
    supported = _supported_countries()
    return country in supported and (not subdivision or subdivision in supported[country])


@functools.lru_cache(maxsize=64)
def _public_holidays(code: str, year: int):
    import holidays

    country, _, subdivision = code.partition("-")
    # English names where the package has them (it falls back to the country's own language).
    return holidays.country_holidays(country, subdiv=subdivision or None, years=year, language="en_US")


def public_holiday_name(code: str | None, day: date) -> str | None:
    """The name of the public holiday on `day` in the country `code`, or None (offline: the holidays package)."""
    if not code:
        return None
    return _public_holidays(code, day.year).get(day)


# ---------------------------------------------------------------------------------------------
# The decision


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


def _json_value(value):
    return json.loads(value) if isinstance(value, str) else value


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
    calendar = FamilyCalendar.from_settings(_json_value(country), _json_value(holidays))
    return PolicyInputs(calendar=calendar, used_seconds=max(0.0, float(seconds or 0)), session_open=bool(session_open))


def family_calendar() -> FamilyCalendar:
    """The family's calendar from its settings (`family.country`, `family.holidays`), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT value FROM settings WHERE key = %s), (SELECT value FROM settings WHERE key = %s)",
            [COUNTRY_SETTING, HOLIDAYS_SETTING],
        )
        country, holidays = cursor.fetchone()
    return FamilyCalendar.from_settings(_json_value(country), _json_value(holidays))


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
    blocked = _first_match(profile.blocked_commands, command, anywhere=True)
    if blocked is not None:
        return approved_instead(profile, command, moment, kinds=(RequestKind.COMMAND,)) or refused(
            Reason.BLOCKED_COMMAND, "Sorry, that is something Tonny can't do for you.", f"blocked command “{blocked}”"
        )
    if profile.allowed_commands is not None and _first_match(profile.allowed_commands, command, anywhere=False) is None:
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
