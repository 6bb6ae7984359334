"""`manage.py generate_activity`: valid rows, spread as asked, statistics equal to a recomputation.

It commits through connections of its own, so these tests use transaction=True.
"""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, CommandStatus, Session, UsageStatistic
from activity.services import usage_statistics_rebuild
from activity.tests.oracle import expected_last_active, expected_statistics, stored_statistics
from household.copy_load import ChunkRenderer
from profiles.models import UserProfile
from telemetry.models import SystemEvent

pytestmark = pytest.mark.django_db(transaction=True)

ROWS, DAYS, PROFILES = 3000, 10, 10
FINISHED = CommandStatus.finished()


def generate(*args, rows=ROWS, days=DAYS, profiles=PROFILES):
    call_command("generate_activity", f"--rows={rows}", f"--days={days}", f"--profiles={profiles}", "--force", *args)


@pytest.fixture
def generated():
    generate("--seed=7")


def local_days(moments) -> set:
    return {timezone.localtime(moment).date() for moment in moments}


def sample_rows(model, count=300):
    return list(model.objects.order_by("?")[:count])


def test_generates_exactly_the_requested_rows(generated):
    assert ActivityLog.objects.count() == ROWS


@pytest.mark.parametrize("model", [ActivityLog, CommandHistory, Session, SystemEvent])
def test_generated_rows_pass_model_validation(generated, model):
    for row in sample_rows(model):
        row.full_clean(validate_unique=False)


def test_generated_rows_reference_existing_profiles(generated):
    with connection.cursor() as cursor:
        for table, column in (
            ("activity_logs", "profile_id"),
            ("command_history", "profile_id"),
            ("sessions", "profile_id"),
            ("system_events", "profile_id"),
            ("system_events", "resolved_by"),
        ):
            cursor.execute(
                f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL "
                f"AND NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.id = t.{column})"
            )
            assert cursor.fetchone()[0] == 0, (table, column)


def spread_over(days: int) -> bool:
    """Whether activity covers every one of the last `days` local days (today only once it has begun)."""
    today = timezone.localdate()
    covered = local_days(ActivityLog.objects.values_list("timestamp", flat=True))
    every_past_day = {today - timedelta(days=n) for n in range(1, days)}
    return every_past_day <= covered <= every_past_day | {today}


def test_activity_spreads_over_the_requested_days(generated):
    assert spread_over(DAYS)


def test_activity_spreads_over_the_requested_profiles(generated):
    generated_ids = set(UserProfile.objects.filter(settings__generated=True).values_list("pk", flat=True))
    assert len(generated_ids) == PROFILES
    assert set(ActivityLog.objects.values_list("profile_id", flat=True)) == generated_ids


def test_no_activity_lies_in_the_future(generated):
    assert not ActivityLog.objects.filter(timestamp__gt=timezone.now()).exists()
    assert not Session.objects.filter(ended_at__gt=timezone.now()).exists()


def test_statuses_mix_successes_with_failures_and_timeouts(generated):
    statuses = Counter(ActivityLog.objects.values_list("status", flat=True))
    assert statuses["success"] > ROWS * 0.8
    assert statuses["failed"] > 0 and statuses["timeout"] > 0
    assert set(statuses) <= {"pending", "processing", *FINISHED}


def test_every_finished_command_has_its_command_history_row(generated):
    finished = Counter(
        ActivityLog.objects.filter(status__in=FINISHED).values_list("profile_id", "timestamp", "command_text")
    )
    history = Counter(CommandHistory.objects.values_list("profile_id", "timestamp", "raw_transcription"))
    assert finished == history


def test_failures_are_logged_as_system_events(generated):
    failures = ActivityLog.objects.filter(status__in=CommandStatus.failures()).count()
    assert SystemEvent.objects.filter(metadata__has_key="activity_id").count() == failures


def test_follow_ups_point_to_an_earlier_command_of_the_same_session(generated):
    by_id = {row.pk: row for row in ActivityLog.objects.all()}
    follow_ups = [row for row in by_id.values() if row.parent_command_id]
    assert follow_ups
    for row in follow_ups:
        parent = by_id[row.parent_command_id]
        assert parent.metadata["session_id"] == row.metadata["session_id"]
        assert parent.timestamp < row.timestamp


def test_session_counters_match_their_commands(generated):
    counted = Counter()
    errors = Counter()
    for metadata, status in ActivityLog.objects.values_list("metadata", "status"):
        counted[metadata["session_id"]] += 1
        errors[metadata["session_id"]] += status in CommandStatus.failures()
    for session in Session.objects.all():
        assert (session.command_count, session.error_count) == (counted[str(session.pk)], errors[str(session.pk)])


def test_commands_fall_inside_their_session(generated):
    sessions = {str(s.pk): s for s in Session.objects.all()}
    for metadata, moment in ActivityLog.objects.values_list("metadata", "timestamp"):
        session = sessions[metadata["session_id"]]
        assert session.started_at <= moment <= session.ended_at


def test_statistics_equal_a_from_scratch_recomputation(generated):
    assert stored_statistics() == expected_statistics()


def test_last_active_at_is_the_latest_finished_command(generated):
    stored = dict(UserProfile.objects.filter(settings__generated=True).values_list("pk", "last_active_at"))
    assert stored == expected_last_active()


def test_rebuilding_statistics_again_changes_nothing(generated):
    assert usage_statistics_rebuild().changed == 0


def test_statistics_rebuilt_from_nothing_are_the_same(generated):
    before = stored_statistics()
    UsageStatistic.objects.all().delete()
    usage_statistics_rebuild()
    assert stored_statistics() == before


def test_second_run_reuses_the_generated_profiles():
    generate(rows=500, profiles=5)
    generate(rows=500, profiles=5)
    assert UserProfile.objects.count() == 5
    assert ActivityLog.objects.count() == 1000
    assert stored_statistics() == expected_statistics()


def index_definitions() -> list:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('activity_logs', 'command_history', 'sessions', 'system_events') ORDER BY indexname"
        )
        return cursor.fetchall()


def test_rebuilt_indexes_are_the_ones_there_were():
    before = index_definitions()
    generate("--indexes=rebuild", rows=500, profiles=5)
    assert index_definitions() == before


def test_profile_local_days_follow_the_family_time_zone(settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    generate(rows=1000, days=3, profiles=5)
    assert spread_over(3)
    assert stored_statistics() == expected_statistics()


def test_refuses_to_run_under_production_settings_unless_forced(settings):
    settings.TONNY_DEPLOYMENT = "server"
    with pytest.raises(CommandError, match="production settings"):
        call_command("generate_activity", "--rows=10")
    assert not ActivityLog.objects.exists()


def test_rejects_a_row_count_below_one():
    with pytest.raises(CommandError, match="at least 1"):
        generate(rows=0)


def test_a_lane_that_fails_rolls_back_the_other(monkeypatch):
    chunk = ChunkRenderer._chunk

    def chunk_with_a_bad_status_code(self):
        return [
            (table, columns, data.replace(b"\t200\t", b"\t999\t") if table == "command_history" else data)
            for table, columns, data in chunk(self)
        ]

    monkeypatch.setattr(ChunkRenderer, "_chunk", chunk_with_a_bad_status_code)
    with pytest.raises(Exception, match="command_history_n8n_status_code_range"):
        generate(rows=500, profiles=5)
    assert not ActivityLog.objects.exists()
    assert not CommandHistory.objects.exists()
