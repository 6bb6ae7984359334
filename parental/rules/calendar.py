"""The family's calendar: school days, weekends, public holidays of its country and its own holidays."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date

from django.db import connection, models

# Settings of the family's calendar (made by telemetry migration 0007).
COUNTRY_SETTING = "family.country"
HOLIDAYS_SETTING = "family.holidays"


class DayType(models.TextChoices):
    SCHOOL_DAY = "school_day", "school days"
    WEEKEND = "weekend", "weekends and holidays"


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


def json_value(value):
    return json.loads(value) if isinstance(value, str) else value


def calendar_settings() -> tuple:
    """The values of the settings `family.country` and `family.holidays` as stored, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT value FROM settings WHERE key = %s), (SELECT value FROM settings WHERE key = %s)",
            [COUNTRY_SETTING, HOLIDAYS_SETTING],
        )
        country, holidays = cursor.fetchone()
    return json_value(country), json_value(holidays)


def family_calendar() -> FamilyCalendar:
    """The family's calendar from its settings (`family.country`, `family.holidays`), in one query."""
    return FamilyCalendar.from_settings(*calendar_settings())
