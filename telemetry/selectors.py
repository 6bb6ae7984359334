"""Reads of the system tables."""

from typing import Any

from telemetry.models import Setting


def setting_value(key: str) -> Any:
    """A setting's stored value, or None when the setting does not exist."""
    return Setting.objects.filter(key=key).values_list("value", flat=True).first()
