"""Text and times from outside (a tray, an import file, a command line), checked in one place.

A tray is trusted no more than a stranger: its text may hold what PostgreSQL cannot store, and its
clock may be years off. Every API schema, import and command checks through these functions, so a
bad value is a 400, a form error or exit status 2 that names the field, never a database error.

The window for times a device reports (`device_window`):
- at most `CLOCK_AHEAD` (5 minutes) after the server's clock: a tray whose clock runs fast is told
  the server's time so it can correct itself;
- at most `OFFLINE_DAYS` (30) days back, for a tray that was offline, and never before the
  retention cutoff or the day the log was last purged (such a row would be purged at once);
- offsets between −12:00 and +14:00, the ones real clocks use (PostgreSQL stores ±15:59 at most).
Any other moment we accept (a command's --at, a day on a page) lies in the years 2000 to 2099.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError

CLOCK_AHEAD = timedelta(minutes=5)
OFFLINE_DAYS = 30
FIRST_YEAR, LAST_YEAR = 2000, 2099
OFFSET_WEST, OFFSET_EAST = timedelta(hours=-12), timedelta(hours=14)


def text_problem(text: str) -> str | None:
    """Say why PostgreSQL cannot store `text` (in words), or None when it can."""
    if "\x00" in text:
        return "may not contain the NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode (a lone surrogate such as \\ud800 is not)"
    return None


def text_check(text: str | None, *, field: str, label: str | None = None) -> None:
    """Raise ValidationError on `field` unless PostgreSQL can store `text`."""
    if isinstance(text, str) and (problem := text_problem(text)):
        raise ValidationError({field: f"{label or field.replace('_', ' ').capitalize()} {problem}."})


def day_problem(day: date) -> str | None:
    """Say why `day` is not one we accept (outside FIRST_YEAR..LAST_YEAR), or None."""
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return f"must lie in the years {FIRST_YEAR} to {LAST_YEAR} (it is in the year {day.year})"
    return None


def moment_problem(moment: datetime) -> str | None:
    """Say why `moment` is not one we accept (no offset, an offset no clock uses, a year out of range)."""
    offset = moment.utcoffset()
    if offset is None:
        return "needs a UTC offset, for example 2026-11-26T17:05:00+01:00"
    if not OFFSET_WEST <= offset <= OFFSET_EAST:
        hours, minutes = divmod(abs(int(offset.total_seconds())) // 60, 60)
        sign = "-" if offset < timedelta(0) else "+"
        return f"has the UTC offset {sign}{hours:02}:{minutes:02}; clocks use offsets from -12:00 to +14:00"
    return day_problem(moment.date())


def moment_in_utc(moment: datetime) -> datetime:
    """`moment` after moment_problem found nothing wrong, as UTC (so no odd offset reaches the database)."""
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class DeviceWindow:
    """The times a device may report: from `earliest` (offline at most this far back) to `latest`."""

    now: datetime
    earliest: datetime
    latest: datetime

    def problem(self, moment: datetime) -> str | None:
        """Say why a device may not report `moment`, in words it can act on, or None."""
        if (absolute := moment_problem(moment)) is not None:
            return absolute
        if moment > self.latest:
            ahead = moment - self.now
            return (
                f"is {_duration(ahead)} ahead of the server's clock ({self.now.isoformat(timespec='seconds')}); "
                f"a device's clock may run at most {_duration(CLOCK_AHEAD)} fast: set the device's clock"
            )
        if moment < self.earliest:
            return (
                f"is before {self.earliest.isoformat(timespec='seconds')}: a device may report at most "
                f"{OFFLINE_DAYS} days back and never before the log's retention cutoff "
                f"(the server's clock says {self.now.isoformat(timespec='seconds')})"
            )
        return None

    def check(self, moment: datetime | None, *, field: str) -> None:
        """Raise ValidationError on `field` unless a device may report `moment` (None: now, always fine)."""
        if moment is not None and (problem := self.problem(moment)) is not None:
            raise ValidationError({field: f"{field.rsplit('.', 1)[-1].replace('_', ' ').capitalize()} {problem}."})


def device_window(*, now: datetime, cutoffs: list[datetime | None]) -> DeviceWindow:
    """The window of `now`: OFFLINE_DAYS back, cut at the latest of `cutoffs` (retention, last purge)."""
    earliest = max([now - timedelta(days=OFFLINE_DAYS), *(c for c in cutoffs if c is not None)])
    return DeviceWindow(now=now, earliest=min(earliest, now), latest=now + CLOCK_AHEAD)


def _duration(span: timedelta) -> str:
    seconds = int(abs(span.total_seconds()))
    if seconds >= 2 * 86400:
        return f"{seconds // 86400:,} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"
