"""usage_limits read, built and checked: daily limits, allowed hours and windows, pause (one shape, one file)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from parental.rules.calendar import DayType
from parental.rules.commands import command_normalize
from tonnysite.safe_input import text_problem

DAY_MINUTES = 24 * 60


# Keys of usage_limits.
DAILY_LIMIT = "daily_limit_minutes"
ALLOWED_HOURS = "allowed_hours"
SCHOOL_DAY_LIMIT = "school_day_limit"
WEEKEND_LIMIT = "weekend_limit"
WINDOWS = "windows"
PAUSE = "pause"
SEED_KEYS = (DAILY_LIMIT, ALLOWED_HOURS, SCHOOL_DAY_LIMIT, WEEKEND_LIMIT)
USAGE_LIMITS_KEYS = (*SEED_KEYS, WINDOWS, PAUSE)


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


# Building and checking what a parent entered

LIMIT_LABELS = {
    DAILY_LIMIT: "The daily limit",
    SCHOOL_DAY_LIMIT: "The school-day limit",
    WEEKEND_LIMIT: "The weekend limit",
}
WINDOW_FIELDS = {day_type: f"windows_{day_type}" for day_type in DayType.values}
MAX_WINDOWS_PER_DAY = 12
MAX_COMMANDS = 200
MAX_COMMAND_LENGTH = 200
MAX_PAUSE_MINUTES = 7 * 24 * 60


def limit_problem(label: str, value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= DAY_MINUTES:
        return f"{label} is a whole number of minutes from 0 to 1440, not {value!r}."
    return None


def windows_problems(day_type: str, windows: list[tuple[int, int]]) -> list[str]:
    """Why these windows of a day type cannot be stored: out of the day, empty or overlapping."""
    label = DayType(day_type).label.capitalize()
    if len(windows) > MAX_WINDOWS_PER_DAY:
        return [f"{label}: at most {MAX_WINDOWS_PER_DAY} windows."]
    problems = []
    for start, end in windows:
        if not all(type(m) is int and 0 <= m < DAY_MINUTES for m in (start, end)):
            problems.append(f"{label}: a window's start and end are times of the day, 00:00 to 23:59.")
        elif start == end:
            problems.append(
                f"{label}: the window {minutes_label(start)}–{minutes_label(end)} is empty (it starts when it ends)."
            )
    if problems:
        return problems
    # On the 24-hour clock a window that crosses midnight is two pieces.
    pieces = []
    for start, end in windows:
        window = Window(start, end)
        if window.crosses_midnight:
            pieces += [(start, DAY_MINUTES, window), (0, end, window)]
        else:
            pieces.append((start, end, window))
    pieces.sort(key=lambda piece: piece[:2])
    for (_, end, first), (start, _, second) in zip(pieces, pieces[1:], strict=False):
        if start < end and first is not second:
            return [f"{label}: the windows {first.label()} and {second.label()} overlap."]
    return []


def command_list_clean(*, entries: Iterable[str] | None, label: str) -> list[str] | None:
    """A command list as stored: each entry trimmed; None for no list. Raises ValidationError for an
    empty entry, a duplicate (by normalised text), a NUL character or an entry that is too long."""
    if entries is None:
        return None
    cleaned, seen, problems = [], {}, []
    for line, entry in enumerate(entries, start=1):
        text = entry.strip()
        if problem := text_problem(text):
            problems.append(f"{label}, line {line}: {problem}.")
            continue
        if len(text) > MAX_COMMAND_LENGTH:
            problems.append(f"{label}, line {line}: at most {MAX_COMMAND_LENGTH} characters.")
            continue
        normalized = command_normalize(text)
        if not normalized:
            problems.append(f"{label}, line {line}: an empty entry" + (f" (“{text}” has no words)." if text else "."))
            continue
        if normalized.replace("*", "").strip() == "":
            problems.append(f"{label}, line {line}: “{text}” would match every command.")
            continue
        if normalized in seen:
            problems.append(f"{label}: “{text}” (line {line}) is the same command as “{seen[normalized][1]}” "
                            f"(line {seen[normalized][0]}).")  # fmt: skip
            continue
        seen[normalized] = (line, text)
        cleaned.append(text)
    if len(cleaned) > MAX_COMMANDS:
        problems.append(f"{label}: at most {MAX_COMMANDS} commands.")
    if problems:
        raise ValidationError(problems)
    return cleaned or None


def usage_limits_build(
    *,
    daily_limit_minutes: int | None,
    school_day_limit: int | None,
    weekend_limit: int | None,
    windows: dict[str, list[tuple[int, int]]],
    pause: dict | None = None,
) -> dict:
    """The usage_limits JSON for these controls (already checked): the seed's keys, and `windows`
    only when one whole-hour `allowed_hours` cannot say the same."""
    limits: dict = {}
    for key, value in (
        (DAILY_LIMIT, daily_limit_minutes),
        (SCHOOL_DAY_LIMIT, school_day_limit),
        (WEEKEND_LIMIT, weekend_limit),
    ):
        if value is not None:
            limits[key] = value
    per_day = {day_type: sorted(windows.get(day_type) or []) for day_type in DayType.values}
    if any(per_day.values()):
        exact = _as_allowed_hours(per_day)
        if exact is not None:
            limits[ALLOWED_HOURS] = exact
        else:
            limits[WINDOWS] = {
                day_type: [Window(start, end).to_json() for start, end in pairs] for day_type, pairs in per_day.items()
            }
            limits[ALLOWED_HOURS] = allowed_hours_summary(per_day=per_day)
    if pause:
        limits[PAUSE] = pause
    return limits


def _as_allowed_hours(per_day: dict[str, list[tuple[int, int]]]) -> list[int] | None:
    # One window on whole hours, the same every day: exactly what the seed's allowed_hours says.
    first = per_day[DayType.SCHOOL_DAY]
    if any(pairs != first for pairs in per_day.values()) or len(first) != 1:
        return None
    start, end = first[0]
    if start % 60 or end % 60:
        return None
    # A window ending at midnight ends at hour 24 in the seed's words.
    return [start // 60, end // 60 if end else 24]


def allowed_hours_summary(*, per_day: dict[str, list[tuple[int, int]]]) -> list[int]:
    """The seed's allowed_hours for richer windows, never allowing more than they do: the longest run
    of whole hours allowed on every kind of day ([0, 0], no hour, when there is none)."""
    allowed = [True] * DAY_MINUTES
    for pairs in per_day.values():
        if not pairs:
            continue  # no restriction on this kind of day
        day = [False] * DAY_MINUTES
        for start, end in pairs:
            minutes = range(start, end) if end > start else [*range(start, DAY_MINUTES), *range(0, end)]
            for minute in minutes:
                day[minute] = True
        allowed = [a and b for a, b in zip(allowed, day, strict=True)]
    hours = [all(allowed[h * 60 : h * 60 + 60]) for h in range(24)]
    if all(hours):
        return [0, 24]
    best_start, best_length = 0, 0
    for start in range(24):
        length = 0
        while length < 24 and hours[(start + length) % 24]:
            length += 1
        if length > best_length:
            best_start, best_length = start, length
    if not best_length:
        return [0, 0]
    end = (best_start + best_length) % 24
    return [best_start, end or 24]
