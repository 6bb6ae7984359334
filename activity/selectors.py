"""Reads for the audit trail and usage statistics."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from activity.models import ActivityLog, CommandHistory, Session


def session_id_of(metadata: dict | None) -> uuid.UUID | None:
    """The session an activity row belongs to, from metadata.session_id (None if absent or malformed)."""
    value = (metadata or {}).get("session_id") if isinstance(metadata, dict) else None
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ActivityFootprint:
    """What of an activity row the derived numbers depend on."""

    profile_id: uuid.UUID | None
    timestamp: datetime | None
    session_id: uuid.UUID | None

    @classmethod
    def of(cls, activity: ActivityLog) -> ActivityFootprint:
        return cls(activity.profile_id, activity.timestamp, session_id_of(activity.metadata))


def stored_activity_footprint(activity: ActivityLog):
    """The footprint the row has in the database now (None for a new row), before a save changes it."""
    if activity._state.adding:
        return None
    stored = ActivityLog.objects.filter(pk=activity.pk).values("profile_id", "timestamp", "metadata").first()
    if stored is None:
        return None
    return ActivityFootprint(stored["profile_id"], stored["timestamp"], session_id_of(stored["metadata"]))


def stored_command_footprint(command: CommandHistory):
    """(profile_id, timestamp) of a command-history row as stored now, None for a new row."""
    if command._state.adding:
        return None
    return CommandHistory.objects.filter(pk=command.pk).values_list("profile_id", "timestamp").first()


def stored_session_footprint(session: Session):
    """(profile_id, started_at, ended_at) of a session as stored now, None for a new one."""
    if session._state.adding:
        return None
    return Session.objects.filter(pk=session.pk).values_list("profile_id", "started_at", "ended_at").first()
