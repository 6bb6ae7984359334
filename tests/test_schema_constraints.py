"""Every CHECK rule of the schema rejects a bad row and accepts the edge values."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from activity.tests.factories import (
    ActivityLogFactory,
    CommandHistoryFactory,
    SessionFactory,
    UsageStatisticFactory,
)
from profiles.tests.factories import UserProfileFactory
from quickactions.tests.factories import QuickActionFactory
from telemetry.tests.factories import NotificationFactory, SettingFactory, SystemEventFactory
from tests.sql import sql_one, sql_rows

pytestmark = pytest.mark.django_db


def rejected(factory, **fields) -> str:
    """Create a row that must fail; return the name of the violated constraint."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        factory(**fields)
    return error.value.__cause__.diag.constraint_name


@pytest.mark.parametrize(
    ("factory", "fields", "constraint"),
    [
        (ActivityLogFactory, {"transcription_confidence": Decimal("1.5")}, "activity_logs_confidence_range"),
        (ActivityLogFactory, {"transcription_confidence": Decimal("-0.01")}, "activity_logs_confidence_range"),
        (ActivityLogFactory, {"processing_time_ms": -1}, "activity_logs_processing_time_ms_non_negative"),
        (ActivityLogFactory, {"whisper_time_ms": -5}, "activity_logs_whisper_time_ms_non_negative"),
        (ActivityLogFactory, {"n8n_time_ms": -5}, "activity_logs_n8n_time_ms_non_negative"),
        (ActivityLogFactory, {"tts_time_ms": -5}, "activity_logs_tts_time_ms_non_negative"),
        (UserProfileFactory, {"name": "A"}, "user_profiles_name_min_length"),
        (UserProfileFactory, {"voice_id": ""}, "user_profiles_voice_id_not_empty"),
        (UserProfileFactory, {"pin_hash": "1234"}, "user_profiles_pin_hash_bcrypt"),
        (QuickActionFactory, {"command_sequence": []}, "quick_actions_command_sequence_not_empty"),
        (QuickActionFactory, {"id": "Good Morning"}, "quick_actions_id_slug"),
        (SettingFactory, {"key": "Server URL"}, "settings_key_format"),
        (SystemEventFactory, {"event_type": ""}, "system_events_event_type_not_empty"),
        (NotificationFactory, {"priority": 11}, "notification_queue_priority_range"),
        (NotificationFactory, {"priority": 0}, "notification_queue_priority_range"),
        (NotificationFactory, {"retry_count": 4, "max_retries": 3}, "notification_queue_retry_count_range"),
        (NotificationFactory, {"retry_count": -1}, "notification_queue_retry_count_range"),
        (CommandHistoryFactory, {"n8n_status_code": 600}, "command_history_n8n_status_code_range"),
        (CommandHistoryFactory, {"n8n_status_code": 99}, "command_history_n8n_status_code_range"),
        (CommandHistoryFactory, {"n8n_response_time_ms": -1}, "command_history_n8n_response_time_ms_non_negative"),
        (UsageStatisticFactory, {"peak_usage_hour": 24}, "usage_statistics_peak_usage_hour_range"),
        (UsageStatisticFactory, {"command_count": -1}, "usage_statistics_command_count_non_negative"),
        (UsageStatisticFactory, {"unique_commands": -1}, "usage_statistics_unique_commands_non_negative"),
        (UsageStatisticFactory, {"total_duration_seconds": -1}, "usage_statistics_total_duration_seconds_non_negative"),
        (
            UsageStatisticFactory,
            {"total_processing_time_ms": -1},
            "usage_statistics_total_processing_time_ms_non_negative",
        ),
        (UsageStatisticFactory, {"average_confidence": Decimal("1.01")}, "usage_statistics_average_confidence_range"),
        (UsageStatisticFactory, {"average_confidence": Decimal("-0.5")}, "usage_statistics_average_confidence_range"),
        (
            CommandHistoryFactory,
            {"audio_duration_seconds": Decimal("-0.01")},
            "command_history_audio_duration_seconds_non_negative",
        ),
        (NotificationFactory, {"max_retries": -1, "retry_count": None}, "notification_queue_max_retries_non_negative"),
    ],
)
def test_check_rule_rejects_bad_row(factory, fields, constraint):
    assert rejected(factory, **fields) == constraint


def test_session_cannot_end_before_it_starts():
    start = timezone.now()
    assert rejected(SessionFactory, started_at=start, ended_at=start - timedelta(seconds=1)) == (
        "sessions_ended_after_started"
    )


def test_usage_statistics_are_unique_per_profile_and_day():
    row = UsageStatisticFactory()
    assert rejected(UsageStatisticFactory, profile=row.profile, date=row.date) == "usage_statistics_profile_date_key"


@pytest.mark.parametrize(
    ("factory", "fields"),
    [
        (ActivityLogFactory, {"transcription_confidence": Decimal("0"), "processing_time_ms": 0}),
        (ActivityLogFactory, {"transcription_confidence": Decimal("1"), "status": "timeout"}),
        (UserProfileFactory, {"name": "Al", "voice_id": None, "permission_level": "guest"}),
        (QuickActionFactory, {"id": "good_morning_2", "command_sequence": ["lights on"]}),
        (SettingFactory, {"key": "audio.vad_sensitivity_2"}),
        (NotificationFactory, {"priority": 1, "retry_count": 0}),
        (NotificationFactory, {"priority": 10, "retry_count": 3, "max_retries": 3}),
        (CommandHistoryFactory, {"n8n_status_code": 100, "n8n_response_time_ms": 0}),
        (CommandHistoryFactory, {"n8n_status_code": 599}),
        (UsageStatisticFactory, {"peak_usage_hour": 0}),
        (UsageStatisticFactory, {"peak_usage_hour": 23}),
        (UsageStatisticFactory, {"average_confidence": Decimal("0"), "total_duration_seconds": 0}),
        (UsageStatisticFactory, {"average_confidence": Decimal("1"), "total_processing_time_ms": 0}),
        (CommandHistoryFactory, {"audio_duration_seconds": Decimal("0")}),
        (NotificationFactory, {"max_retries": 0, "retry_count": 0}),
    ],
)
def test_check_rule_accepts_edge_values(factory, fields):
    assert factory(**fields).pk is not None


def test_session_may_end_the_moment_it_starts_and_counts_whole_seconds():
    start = timezone.now()
    instant = SessionFactory(started_at=start, ended_at=start)
    long = SessionFactory(started_at=start, ended_at=start + timedelta(seconds=90, milliseconds=900))
    open_session = SessionFactory(started_at=start)
    durations = {
        row["id"]: row["duration_seconds"]
        for row in [
            sql_one("SELECT id, duration_seconds FROM sessions WHERE id = %s", [s.pk])
            for s in (instant, long, open_session)
        ]
    }
    assert durations == {instant.pk: 0, long.pk: 90, open_session.pk: None}


def test_empty_quick_action_sequence_is_rejected_by_plain_sql_too():
    """The seed's `array_length(...) > 0` let '{}' through; cardinality does not."""
    with pytest.raises(IntegrityError), transaction.atomic():
        sql_one(
            "INSERT INTO quick_actions (id, display_name, command_sequence) VALUES ('empty', 'Empty', '{}') "
            "RETURNING id"
        )


@pytest.mark.parametrize(
    ("statement", "constraint"),
    [
        (
            "UPDATE usage_statistics SET total_duration_seconds = -1 WHERE id = %(statistic)s",
            "usage_statistics_total_duration_seconds_non_negative",
        ),
        (
            "UPDATE usage_statistics SET total_processing_time_ms = -1 WHERE id = %(statistic)s",
            "usage_statistics_total_processing_time_ms_non_negative",
        ),
        (
            "UPDATE usage_statistics SET average_confidence = 1.01 WHERE id = %(statistic)s",
            "usage_statistics_average_confidence_range",
        ),
        (
            "UPDATE usage_statistics SET average_confidence = -0.01 WHERE id = %(statistic)s",
            "usage_statistics_average_confidence_range",
        ),
        (
            "INSERT INTO usage_statistics (profile_id, date, total_duration_seconds) "
            "VALUES (%(profile)s, '2020-01-01', -60)",
            "usage_statistics_total_duration_seconds_non_negative",
        ),
        (
            "INSERT INTO command_history (command, raw_transcription, audio_duration_seconds) "
            "VALUES ('lights', 'lights', -0.5)",
            "command_history_audio_duration_seconds_non_negative",
        ),
        (
            "UPDATE command_history SET audio_duration_seconds = -1 WHERE id = %(history)s",
            "command_history_audio_duration_seconds_non_negative",
        ),
        (
            "INSERT INTO notification_queue (notification_type, message, max_retries, retry_count) "
            "VALUES ('reminder', 'Bedtime', -1, NULL)",
            "notification_queue_max_retries_non_negative",
        ),
    ],
)
def test_plain_sql_cannot_break_the_added_bounds(statement, constraint):
    statistic = UsageStatisticFactory()
    ids = {"statistic": statistic.pk, "profile": statistic.profile_id, "history": CommandHistoryFactory().pk}
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        sql_rows(statement, ids)
    assert error.value.__cause__.diag.constraint_name == constraint
