"""Writes to the system tables: system events, settings and notifications."""

from __future__ import annotations

import json
import uuid

from django.core.exceptions import ValidationError
from django.db import connection

from telemetry.models import EventSeverity


def log_system_event(
    event_type: str,
    severity: str,
    component: str | None,
    message: str,
    metadata: dict | None = None,
    profile_id: uuid.UUID | str | None = None,
) -> uuid.UUID:
    """Record a system event through the SQL function of the same name; return its id.

    The Python twin calls the SQL function so both paths write exactly the same row.
    """
    if severity not in EventSeverity.values:
        raise ValidationError(f"Unknown severity {severity!r}: use one of {', '.join(EventSeverity.values)}.")
    if not event_type:
        raise ValidationError("An event needs a type.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT log_system_event(%s, %s, %s, %s, %s::jsonb, %s)",
            [event_type, severity, component, message, json.dumps(metadata or {}), profile_id],
        )
        return cursor.fetchone()[0]
