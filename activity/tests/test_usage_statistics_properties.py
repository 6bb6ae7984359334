"""Random sequences of writes, single and bulk, always leave the derived numbers equal to a recomputation."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from activity.models import ActivityLog, Session, UsageStatistic
from activity.services import activity_record_many, usage_statistics_rebuild
from activity.tests import oracle
from profiles.models import UserProfile

pytestmark = pytest.mark.django_db

# Around the end of daylight saving time in New York, so local days have 23, 24 and 25 hours.
START = datetime(2026, 10, 31, 20, 0, tzinfo=ZoneInfo("America/New_York"))
STATUSES = ["pending", "processing", "success", "failed", "timeout"]

minutes = st.integers(min_value=0, max_value=60 * 40)
profile_slot = st.one_of(st.none(), st.integers(min_value=0, max_value=2))
session_slot = st.one_of(st.none(), st.integers(min_value=0, max_value=1))
row = st.fixed_dictionaries(
    {
        "profile": profile_slot,
        "minute": minutes,
        "status": st.sampled_from(STATUSES),
        "text": st.sampled_from(["lights on", "Lights on ", "weather"]),
        "device": st.sampled_from([None, "kitchen_mic", "desk_mic"]),
        "session": session_slot,
        "error": st.sampled_from([None, "n8n_down: refused", "whisper: oom"]),
        "confidence": st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2)),
    }
)
operation = st.one_of(
    st.tuples(st.just("create"), row),
    st.tuples(st.just("bulk"), st.lists(row, min_size=1, max_size=5)),
    st.tuples(st.just("status"), st.integers(min_value=0), st.sampled_from(STATUSES)),
    st.tuples(st.just("reassign"), st.integers(min_value=0), profile_slot),
    st.tuples(st.just("move"), st.integers(min_value=0), minutes),
    st.tuples(st.just("delete"), st.integers(min_value=0)),
)


def _fields(spec, profiles, sessions):
    metadata = {}
    if spec["device"]:
        metadata["device"] = spec["device"]
    if spec["session"] is not None:
        metadata["session_id"] = str(sessions[spec["session"]].pk)
    return {
        "profile_id": None if spec["profile"] is None else profiles[spec["profile"]].pk,
        "timestamp": START + timedelta(minutes=spec["minute"]),
        "command_text": spec["text"],
        "status": spec["status"],
        "error_message": spec["error"],
        "transcription_confidence": spec["confidence"],
        "processing_time_ms": spec["minute"] % 700,
        "whisper_time_ms": spec["minute"] % 300 if spec["minute"] % 5 else None,
        "n8n_time_ms": (spec["minute"] * 37) % 40_000,
        "metadata": metadata,
    }


def _apply(op, profiles, sessions):
    kind = op[0]
    if kind == "create":
        ActivityLog.objects.create(**_fields(op[1], profiles, sessions))
        return
    if kind == "bulk":
        activity_record_many(rows=[_fields(spec, profiles, sessions) for spec in op[1]])
        return
    existing = list(ActivityLog.objects.order_by("command_text", "id"))
    if not existing:
        return
    target = existing[op[1] % len(existing)]
    if kind == "status":
        target.status = op[2]
        target.save()
    elif kind == "reassign":
        target.profile_id = None if op[2] is None else profiles[op[2]].pk
        target.save()
    elif kind == "move":
        target.timestamp = START + timedelta(minutes=op[2])
        target.save()
    else:
        target.delete()


@hypothesis_settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(operations=st.lists(operation, min_size=1, max_size=16))
def test_random_writes_keep_statistics_equal_to_a_recomputation(settings, operations):
    settings.TIME_ZONE = "America/New_York"
    with transaction.atomic():
        profiles = [UserProfile.objects.create(name=f"Prop {n}") for n in range(3)]
        sessions = [Session.objects.create(profile=profiles[0], started_at=START) for _ in range(2)]
        for op in operations:
            _apply(op, profiles, sessions)
        assert oracle.stored_statistics() == oracle.expected_statistics()
        stored_last_active = {
            p.pk: p.last_active_at for p in UserProfile.objects.filter(pk__in=[p.pk for p in profiles])
        }
        expected = oracle.expected_last_active()
        assert stored_last_active == {p.pk: expected.get(p.pk) for p in profiles}
        stored_counters = {s.pk: (s.command_count, s.error_count) for s in Session.objects.all()}
        assert stored_counters == oracle.expected_session_counters()
        transaction.set_rollback(True)


# Sessions from minutes to days long, begun up to four days before START, around the 25-hour day:
# a day's minutes read two index ranges (begun from a day before it, and the long ones before
# that), so lengths just under, at and over a day must all land on every day they touch.
session_span = st.tuples(
    st.integers(min_value=-4 * 24 * 60, max_value=24 * 60),
    st.sampled_from([1, 60, 23 * 60 + 59, 24 * 60 - 1, 24 * 60, 24 * 60 + 1, 25 * 60, 47 * 60, 3 * 24 * 60 + 7]),
)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(spans=st.lists(session_span, min_size=1, max_size=6))
def test_sessions_of_any_length_count_on_every_day_they_touch(settings, spans):
    settings.TIME_ZONE = "America/New_York"
    with transaction.atomic():
        member = UserProfile.objects.create(name="Prop sessions")
        for begin, length in spans:
            started = START + timedelta(minutes=begin)
            Session.objects.create(profile=member, started_at=started, ended_at=started + timedelta(minutes=length))
        assert oracle.stored_statistics() == oracle.expected_statistics()  # the refresh after each write
        UsageStatistic.objects.all().delete()
        usage_statistics_rebuild()
        assert oracle.stored_statistics() == oracle.expected_statistics()  # the rebuild of every day
        transaction.set_rollback(True)
