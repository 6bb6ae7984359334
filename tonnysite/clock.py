"""The family's clock: its zone, its local days and their midnights, in one place.

The family lives in `settings.TIME_ZONE`; statistics, limits, ranges and the purge all count its
local days. A local day is 23, 24 or 25 hours long, and in some zones midnight itself is skipped
by a clock change, so a day's start is never built with `datetime(..., tzinfo=zone)` or
`datetime.combine(...)`: `local_moment` lands a skipped wall-clock time after the gap and a
repeated one on its first occurrence. SQL gets the zone by name (`zone_name()`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def family_zone() -> ZoneInfo:
    """The family's time zone (settings.TIME_ZONE)."""
    return ZoneInfo(settings.TIME_ZONE)


def zone_name() -> str:
    """The family's zone as PostgreSQL's AT TIME ZONE takes it ("Europe/Berlin")."""
    return family_zone().key


def local_day(moment: datetime, zone: ZoneInfo | None = None) -> date:
    """The family's calendar day of `moment`."""
    return moment.astimezone(zone or family_zone()).date()


def local_today(now: datetime | None = None) -> date:
    """The family's calendar day now (or of `now`)."""
    return local_day(now or datetime.now(UTC))


def local_moment(day: date, minutes: float = 0, zone: ZoneInfo | None = None) -> datetime:
    """`minutes` after midnight on the wall clock of `day`, as an aware moment in the family's zone.

    A wall-clock time a clock change skips lands after the gap; a repeated one is its first occurrence.
    """
    zone = zone or family_zone()
    naive = datetime.combine(day, time(0)) + timedelta(minutes=minutes)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def local_midnight(day: date, zone: ZoneInfo | None = None) -> datetime:
    """The moment `day` starts in the family's zone."""
    return local_moment(day, 0, zone)


def day_bounds(day: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """Local midnight of `day` and of the next day: 23, 24 or 25 hours apart."""
    zone = zone or family_zone()
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)
