"""Ending and deleting sessions through activity.services: where a session ends, who ended it, and
usage statistics kept exact in one refresh."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from activity.models import SESSION_IDLE, Session, UsageStatistic
from activity.services import sessions_delete, sessions_end
from activity.tests.factories import ActivityLogFactory, SessionFactory
from activity.tests.oracle import expected_statistics, stored_statistics
from profiles.tests.factories import UserProfileFactory
from tonnysite.clock import local_day, local_midnight, local_moment

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("UTC"))
DAY = date(2026, 6, 15)


def test_a_session_that_went_idle_ends_where_it_went_idle():
    session = SessionFactory(started_at=NOON)
    ActivityLogFactory(profile=session.profile, timestamp=NOON + timedelta(minutes=20),
                       metadata={"session_id": str(session.pk)})  # fmt: skip

    assert sessions_end(sessions=Session.objects.filter(pk=session.pk)) == 1

    session.refresh_from_db()
    assert session.ended_at == NOON + timedelta(minutes=20) + SESSION_IDLE


def test_a_session_in_use_ends_now():
    started = timezone.now() - timedelta(minutes=30)
    session = SessionFactory(started_at=started)
    command = ActivityLogFactory(profile=session.profile, timestamp=timezone.now() - timedelta(minutes=1),
                                 metadata={"session_id": str(session.pk)})  # fmt: skip

    sessions_end(sessions=Session.objects.filter(pk=session.pk))

    session.refresh_from_db()
    assert command.timestamp < session.ended_at <= timezone.now()


def test_a_session_from_a_clock_ahead_never_ends_before_it_started():
    ahead = timezone.now() + timedelta(hours=3)
    session = SessionFactory(started_at=ahead)

    sessions_end(sessions=Session.objects.filter(pk=session.pk))

    session.refresh_from_db()
    assert session.ended_at >= ahead


def test_the_parent_who_ended_a_session_is_named_on_it():
    parent = UserProfileFactory(name="Mum", permission_level="admin")
    session = SessionFactory(started_at=NOON, metadata={"device": "kitchen speaker"})

    sessions_end(sessions=Session.objects.filter(pk=session.pk), ended_by=parent)

    session.refresh_from_db()
    assert session.metadata == {"device": "kitchen speaker", "ended_by": "Mum"}


def test_an_ended_session_keeps_its_end_and_its_metadata():
    session = SessionFactory(started_at=NOON, ended_at=NOON + timedelta(hours=1), metadata={})

    ended = sessions_end(sessions=Session.objects.all(), ended_by=UserProfileFactory())

    session.refresh_from_db()
    assert (ended, session.ended_at, session.metadata) == (0, NOON + timedelta(hours=1), {})


def test_ending_a_session_counts_its_minutes_in_the_usage_statistics():
    session = SessionFactory(started_at=NOON)

    sessions_end(sessions=Session.objects.filter(pk=session.pk))

    row = UsageStatistic.objects.get(profile=session.profile, date=local_day(NOON))
    assert row.total_duration_seconds == SESSION_IDLE.total_seconds()
    assert stored_statistics() == expected_statistics()


def test_deleting_sessions_takes_their_minutes_out_of_every_day_they_touched():
    profile = UserProfileFactory()
    midnight = local_midnight(DAY + timedelta(days=1))
    over_midnight = SessionFactory(profile=profile, started_at=midnight - timedelta(hours=1),
                                   ended_at=midnight + timedelta(hours=1))  # fmt: skip
    kept = SessionFactory(profile=profile, started_at=local_moment(DAY, 12 * 60),
                          ended_at=local_moment(DAY, 12 * 60 + 10))  # fmt: skip

    assert sessions_delete(sessions=Session.objects.filter(pk=over_midnight.pk)) == 1

    assert list(Session.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_statistics() == expected_statistics()
    assert UsageStatistic.objects.get(profile=profile, date=DAY).total_duration_seconds == 600
    assert not UsageStatistic.objects.filter(profile=profile, date=DAY + timedelta(days=1)).exists()
