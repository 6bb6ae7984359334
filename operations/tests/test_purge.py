"""Retention: what goes, what stays (to the microsecond at local midnight), what the archive holds,
and usage statistics left exactly as they were."""

import csv
import gzip
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from activity.models import ActivityLog, CommandHistory, Session, UsageStatistic
from activity.services import usage_statistics_rebuild
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory
from history.context import acting_as
from history.models import Change, ChangeChannel
from operations import retention
from operations.retention import log_purge
from profiles.tests.factories import UserProfileFactory
from telemetry.models import Setting, SystemEvent
from telemetry.selectors import retention_cutoff
from telemetry.tests.factories import SystemEventFactory

pytestmark = pytest.mark.django_db

ZONE = "America/New_York"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=ZoneInfo(ZONE))
CUTOFF = datetime(2026, 10, 27, 0, 0, tzinfo=ZoneInfo(ZONE))  # 30 days before the local today
JUST_BEFORE = CUTOFF - timedelta(microseconds=1)


@pytest.fixture(autouse=True)
def family_zone(settings):
    settings.TIME_ZONE = ZONE


@pytest.fixture
def keep_30_days():
    Setting.objects.update_or_create(key=retention.RETENTION_KEY, defaults={"value": 30, "category": "privacy"})


def statistics_snapshot():
    return list(UsageStatistic.objects.order_by("profile_id", "date").values())


def test_cutoff_is_local_midnight_retention_days_before_the_local_today():
    # 02:00 UTC on the 27th is still the 26th in New York.
    assert retention_cutoff(days=30, now=datetime(2026, 11, 27, 2, 0, tzinfo=ZoneInfo("UTC"))) == CUTOFF


def test_rows_before_local_midnight_go_and_rows_from_midnight_on_stay(keep_30_days):
    kid = UserProfileFactory()
    old, kept = (
        ActivityLogFactory(profile=kid, timestamp=JUST_BEFORE),
        ActivityLogFactory(profile=kid, timestamp=CUTOFF),
    )
    old_cmd, kept_cmd = (
        CommandHistoryFactory(profile=kid, timestamp=JUST_BEFORE),
        CommandHistoryFactory(profile=kid, timestamp=CUTOFF),
    )

    result = log_purge(now=NOW)

    assert set(ActivityLog.objects.values_list("pk", flat=True)) == {kept.pk}
    assert set(CommandHistory.objects.values_list("pk", flat=True)) == {kept_cmd.pk}
    assert old.pk not in set(ActivityLog.objects.values_list("pk", flat=True))
    assert old_cmd.pk not in set(CommandHistory.objects.values_list("pk", flat=True))
    assert result.rows["activity_logs"] == 1 and result.rows["command_history"] == 1
    assert "Tuesday 27 October 2026 00:00, America/New_York" in result.message


def test_open_sessions_and_unresolved_problems_stay_however_old(keep_30_days):
    long_ago = CUTOFF - timedelta(days=200)
    ended = SessionFactory(started_at=long_ago, ended_at=long_ago + timedelta(minutes=5))
    still_open = SessionFactory(started_at=long_ago)
    resolved = SystemEventFactory(severity="error", resolved_at=long_ago)
    unresolved = SystemEventFactory(severity="critical")
    info = SystemEventFactory(severity="info")
    SystemEvent.objects.filter(pk__in=[resolved.pk, unresolved.pk, info.pk]).update(timestamp=long_ago)

    log_purge(now=NOW)

    assert set(Session.objects.values_list("pk", flat=True)) == {still_open.pk}
    assert ended.pk not in set(Session.objects.values_list("pk", flat=True))
    remaining = set(SystemEvent.objects.exclude(event_type__startswith="ops.").values_list("pk", flat=True))
    assert remaining == {unresolved.pk}


def test_usage_statistics_stay_exactly_as_they_were_even_after_a_rebuild_or_a_late_row(keep_30_days):
    kid = UserProfileFactory()
    for hours in (1, 5, 30, 24 * 40):
        ActivityLogFactory(profile=kid, timestamp=JUST_BEFORE - timedelta(hours=hours))
    ActivityLogFactory(profile=kid, timestamp=CUTOFF + timedelta(hours=3))
    before = statistics_snapshot()
    assert len(before) == 4  # three purged days and one kept

    log_purge(now=NOW)
    after_purge = statistics_snapshot()
    usage_statistics_rebuild()
    ActivityLogFactory(profile=kid, timestamp=JUST_BEFORE - timedelta(hours=1))  # the tray was offline

    assert ActivityLog.objects.filter(timestamp__lt=CUTOFF).count() == 1
    assert after_purge == before
    assert statistics_snapshot() == before
    assert Setting.objects.get(key=retention.HORIZON_KEY).value == "2026-10-27"


def test_archive_holds_exactly_the_deleted_rows_one_file_per_table_and_month(keep_30_days, tmp_path, monkeypatch):
    monkeypatch.setattr(retention, "BATCH_ROWS", 2)  # several batches, appended to one file
    kid = UserProfileFactory()
    september = [ActivityLogFactory(profile=kid, timestamp=CUTOFF - timedelta(days=40, minutes=n)) for n in range(5)]
    october = [ActivityLogFactory(profile=kid, timestamp=JUST_BEFORE - timedelta(minutes=n)) for n in range(3)]
    ActivityLogFactory(profile=kid, timestamp=CUTOFF)

    result = log_purge(archive=tmp_path, now=NOW)

    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["activity_logs-2026-09.csv.gz", "activity_logs-2026-10.csv.gz"]
    with gzip.open(tmp_path / "activity_logs-2026-09.csv.gz", "rt") as archive:
        september_rows = list(csv.DictReader(io.StringIO(archive.read())))
    with gzip.open(tmp_path / "activity_logs-2026-10.csv.gz", "rt") as archive:
        october_rows = list(csv.DictReader(io.StringIO(archive.read())))
    assert {row["id"] for row in september_rows} == {str(row.pk) for row in september}
    assert {row["id"] for row in october_rows} == {str(row.pk) for row in october}
    assert {row["command_text"] for row in october_rows} == {row.command_text for row in october}
    assert result.rows["activity_logs"] == 8


def test_dry_run_counts_and_deletes_nothing(keep_30_days):
    ActivityLogFactory(timestamp=JUST_BEFORE)

    result = log_purge(dry_run=True, now=NOW)

    assert result.rows["activity_logs"] == 1
    assert ActivityLog.objects.count() == 1
    assert not Setting.objects.filter(key=retention.HORIZON_KEY).exists()


def test_without_a_retention_setting_nothing_is_purged():
    ActivityLogFactory(timestamp=JUST_BEFORE - timedelta(days=3000))

    result = log_purge(now=NOW)

    assert ActivityLog.objects.count() == 1
    assert "not set" in result.message


@pytest.mark.parametrize("value", ["thirty", -3, 2.5, True])
def test_a_retention_setting_that_is_not_a_number_of_days_is_a_clear_error(value):
    Setting.objects.create(key=retention.RETENTION_KEY, value=value, category="privacy")

    with pytest.raises(CommandError, match="whole number of days"):
        call_command("tonny_purge")


def test_purge_command_refuses_an_archive_that_is_a_file(keep_30_days, tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")

    with pytest.raises(CommandError, match="is a file"):
        call_command("tonny_purge", "--archive", str(target))


def test_purge_is_recorded_once_as_an_operation(keep_30_days):
    ActivityLogFactory(timestamp=JUST_BEFORE)

    log_purge(now=NOW)

    event = SystemEvent.objects.get(event_type="ops.purge")
    assert event.metadata["rows"]["activity_logs"] == 1


def test_the_first_day_kept_is_written_like_any_setting_change_and_named_after_who_purged(keep_30_days):
    ActivityLogFactory(timestamp=JUST_BEFORE)

    with acting_as(actor="manage.py tonny_purge", via=ChangeChannel.COMMAND):
        log_purge(now=NOW)
        log_purge(now=NOW + timedelta(days=1))

    entries = Change.objects.filter(table_name="settings", row_id=retention.HORIZON_KEY).order_by("id")
    assert [(e.action, e.actor, e.via) for e in entries] == [
        ("insert", "manage.py tonny_purge", "command"),
        ("update", "manage.py tonny_purge", "command"),
    ]
    assert entries[1].changes["value"] == {"before": "2026-10-27", "after": "2026-10-28"}
    assert Setting.objects.get(key=retention.HORIZON_KEY).is_user_editable is False


def test_the_first_day_kept_never_moves_back(keep_30_days):
    log_purge(now=NOW)

    log_purge(now=NOW - timedelta(days=3))

    assert Setting.objects.get(key=retention.HORIZON_KEY).value == "2026-10-27"
    assert Change.objects.filter(table_name="settings", row_id=retention.HORIZON_KEY).count() == 1
