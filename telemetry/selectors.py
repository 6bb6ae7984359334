"""Reads of the system tables."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from telemetry.models import Setting
from tonnysite.clock import local_midnight, local_today
from tonnysite.safe_input import DeviceWindow, device_window

RETENTION_KEY = "privacy.log_retention_days"
HORIZON_KEY = "privacy.purged_before"


def setting_value(key: str) -> Any:
    """A setting's stored value, or None when the setting does not exist."""
    return Setting.objects.filter(key=key).values_list("value", flat=True).first()


def retention_cutoff(*, days: int, now: datetime | None = None) -> datetime:
    """The first moment the retention keeps: local midnight `days` days before today, in the family's zone."""
    return local_midnight(local_today(now) - timedelta(days=days))


def device_time_window(*, now: datetime | None = None) -> DeviceWindow:
    """The times a device may report now (tonnysite.safe_input): 30 days back at most, never before
    the retention cutoff (privacy.log_retention_days) or the last purge (privacy.purged_before)."""
    now = now or timezone.now()
    stored = dict(Setting.objects.filter(key__in=[RETENTION_KEY, HORIZON_KEY]).values_list("key", "value"))
    cutoffs = []
    days = stored.get(RETENTION_KEY)
    if isinstance(days, int) and not isinstance(days, bool) and 0 < days < 100_000:
        cutoffs.append(retention_cutoff(days=days, now=now))
    horizon = stored.get(HORIZON_KEY)
    if isinstance(horizon, str):
        try:
            first_kept = date.fromisoformat(horizon)
        except ValueError:
            first_kept = None
        if first_kept is not None:
            cutoffs.append(local_midnight(first_kept))
    return device_window(now=now, cutoffs=cutoffs)
