"""The rules in force at a past moment: a past day is judged by the limits, hours and calendar of that day.

The change history records every change of a member's `usage_limits` and of the calendar's
settings with the value before and after it, whoever made it (the page, the tray, plain SQL).
The value in force at a moment is the "before" of the first change after that moment, or
today's value when nothing changed since. A moment before the earliest recorded change gets
that change's "before" (for a member added then, the value they were added with: the earliest
known rule), so a purged history still answers with the oldest rule it knows.

Which moment judges a day: its limit and its kind (school day or weekend) are those in force
at the day's end, the last word a parent had that day (extra time granted in the afternoon
counts for that day; a rule tightened tomorrow does not reach back). Its hours are judged hour
by hour: an hour counts as outside the allowed hours only when it is outside under every rule
in force during it (a lower bound, like the hourly masks themselves).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from parental.rules.calendar import FamilyCalendar
from parental.rules.limits import ParentalControls, controls_of
from tonnysite.clock import local_midnight


@dataclass(frozen=True)
class ValueHistory:
    """One value over time: `current` now, and the changes that led to it, oldest first."""

    current: object
    changes: tuple[tuple[datetime, object, object], ...] = ()  # (when, value before, value after)

    @classmethod
    def of(cls, current, changes: Iterable[tuple[datetime, dict]]) -> ValueHistory:
        """From the history's entries for one column ({"before": ..., "after": ...}), in time order.

        Entries of one transaction share their time and count as one change. A row added in a
        transaction has no value before it: the value it had when that transaction ended stands
        for it (the earliest known rule). A hidden entry (a value that became secret) or a
        deletion tells nothing and is skipped."""
        added = object()
        kept: list[list] = []
        for when, entry in changes:
            if not isinstance(entry, dict) or entry.get("hidden") or "after" not in entry:
                continue
            if kept and kept[-1][0] == when:
                kept[-1][2] = entry["after"]
            else:
                kept.append([when, entry.get("before", added), entry["after"]])
        return cls(
            current=current,
            changes=tuple((when, after if before is added else before, after) for when, before, after in kept),
        )

    def at(self, moment: datetime):
        for when, before, _ in self.changes:
            if when > moment:
                return before
        return self.current

    def during(self, start: datetime, end: datetime) -> list:
        """Every value in force at some moment of [start, end), in order."""
        return [self.at(start), *(after for when, _, after in self.changes if start < when < end)]


@dataclass
class RulesInForce:
    """Members' parental controls and the family's calendar as they were at any moment since `since`."""

    zone: ZoneInfo
    now: datetime
    limits: dict  # member id -> ValueHistory of usage_limits
    country: ValueHistory  # of the settings' values, decoded from JSON
    holidays: ValueHistory
    _controls: dict = field(default_factory=dict, repr=False)
    _calendars: dict = field(default_factory=dict, repr=False)
    _day_types: dict = field(default_factory=dict, repr=False)

    def day_end(self, day: date) -> datetime:
        """The moment that judges `day`: its end, or now for today (and later days)."""
        return min(local_midnight(day + timedelta(days=1), self.zone) - timedelta(microseconds=1), self.now)

    def controls(self, usage_limits) -> ParentalControls:
        key = json.dumps(usage_limits, sort_keys=True, default=str)
        if key not in self._controls:
            self._controls[key] = controls_of(usage_limits)
        return self._controls[key]

    def controls_at(self, member_id, moment: datetime) -> ParentalControls:
        return self.controls(self.limits[member_id].at(moment))

    def controls_on(self, member_id, day: date) -> ParentalControls:
        return self.controls_at(member_id, self.day_end(day))

    def controls_during(self, member_id, start: datetime, end: datetime) -> list[ParentalControls]:
        return [self.controls(value) for value in self.limits[member_id].during(start, min(end, self.now))]

    def calendar_on(self, day: date) -> FamilyCalendar:
        moment = self.day_end(day)
        values = (self.country.at(moment), self.holidays.at(moment))
        key = json.dumps(values, sort_keys=True, default=str)
        if key not in self._calendars:
            self._calendars[key] = FamilyCalendar.from_settings(*values)
        return self._calendars[key]

    def day_type(self, day: date) -> tuple[str, str]:
        """(school_day or weekend, why in words) by the calendar in force that day."""
        if day not in self._day_types:
            self._day_types[day] = self.calendar_on(day).day_type(day)
        return self._day_types[day]

    def limit_on(self, member_id, day: date) -> tuple[int | None, str]:
        """The minutes allowed on `day` by the rules in force that day, and the key they come from."""
        return self.controls_on(member_id, day).limit_for(self.day_type(day)[0])
