"""The refresh after a write and the rebuild give every derived number the same value.

Both run the same statements over different sets (touched ids, or a range); this test feeds
them the same rows, including the awkward ones, and compares with the Python oracle too.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from activity.models import ActivityLog, CommandStatus, Session
from activity.services import (
    profiles_last_active_refresh,
    session_days,
    sessions_counters_refresh,
    usage_days_refresh,
    usage_statistics_rebuild,
)
from activity.tests import oracle
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory
from profiles.models import UserProfile
from profiles.tests.factories import UserProfileFactory
from tonnysite.clock import local_day

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 28, 12, 0, tzinfo=ZoneInfo("UTC"))


def awkward_family():
    """Every status, sessions open and across midnight, session ids in odd shapes, idle members."""
    kid, parent = UserProfileFactory(), UserProfileFactory()
    UserProfileFactory()  # never says anything
    waiting = UserProfileFactory()  # only unfinished commands: no last_active_at
    closed = SessionFactory(profile=kid, started_at=NOON, ended_at=NOON + timedelta(hours=13))
    still_open = SessionFactory(profile=parent, started_at=NOON)
    SessionFactory(profile=parent, started_at=NOON - timedelta(days=2), ended_at=NOON - timedelta(days=2))
    for n, status in enumerate(CommandStatus.values):
        for profile, session in ((kid, closed), (parent, still_open)):
            ActivityLogFactory(
                profile=profile,
                status=status,
                timestamp=NOON + timedelta(hours=3 * n),
                metadata={"session_id": str(session.pk), "device": f"mic{n % 2}"},
                error_message="n8n: down" if status != CommandStatus.SUCCESS else None,
            )
    ActivityLogFactory(profile=waiting, status=CommandStatus.PENDING, timestamp=NOON)
    ActivityLogFactory(profile=None, status=CommandStatus.FAILED, metadata={"session_id": str(closed.pk)})
    ActivityLogFactory(profile=kid, timestamp=NOON, metadata={"session_id": str(closed.pk).upper()})
    ActivityLogFactory(profile=kid, timestamp=NOON, metadata={"session": {"session_id": str(closed.pk)}})
    ActivityLogFactory(profile=kid, timestamp=NOON, metadata={"session_id": [str(closed.pk)]})
    CommandHistoryFactory(profile=kid, timestamp=NOON)


def derived_numbers() -> tuple:
    last_active = dict(UserProfile.objects.values_list("pk", "last_active_at"))
    counters = {pk: (commands, errors) for pk, commands, errors in Session.objects.values_list(
        "pk", "command_count", "error_count")}  # fmt: skip
    return oracle.stored_statistics(), last_active, counters


def scramble() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE usage_statistics SET command_count = 99, unique_commands = 98")
        cursor.execute("UPDATE user_profiles SET last_active_at = '2000-01-01'")
        cursor.execute("UPDATE sessions SET command_count = 99, error_count = 98")


def refresh_everything() -> None:
    keys = {
        (pid, local_day(moment=moment)) for pid, moment in ActivityLog.objects.values_list("profile_id", "timestamp")
    }
    for pid, started_at, ended_at in Session.objects.values_list("profile_id", "started_at", "ended_at"):
        keys.update((pid, day) for day in session_days(started_at=started_at, ended_at=ended_at))
    usage_days_refresh(keys=keys)
    profiles_last_active_refresh(profile_ids=UserProfile.objects.values_list("pk", flat=True))
    sessions_counters_refresh(session_ids=Session.objects.values_list("pk", flat=True))


def test_refresh_and_rebuild_agree_on_every_derived_number():
    awkward_family()
    scramble()
    refresh_everything()
    refreshed = derived_numbers()
    scramble()
    usage_statistics_rebuild()
    rebuilt = derived_numbers()

    assert refreshed == rebuilt
    statistics, last_active, counters = rebuilt
    assert statistics == oracle.expected_statistics()
    assert {pid: at for pid, at in last_active.items() if at} == oracle.expected_last_active()
    assert counters == oracle.expected_session_counters()
