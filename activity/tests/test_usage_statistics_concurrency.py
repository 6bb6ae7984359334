"""Writers on separate connections recording for the same profile and day never lose a count."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from activity.models import ActivityLog, UsageStatistic
from activity.services import activity_record_many, usage_days_refresh
from activity.tests.oracle import expected_statistics, stored_statistics
from profiles.models import UserProfile

WRITERS = 6
COMMANDS_EACH = 15
NOON = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("UTC"))


def _run_writers(target):
    barrier = threading.Barrier(WRITERS)
    errors = []

    def writer(number):
        try:
            barrier.wait()
            target(number)
        except Exception as error:  # noqa: BLE001  (re-raised in the main thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_single_writes_for_one_profile_and_day_are_counted_exactly():
    profile = UserProfile.objects.create(name="Busy Kid")

    def record(number):
        for n in range(COMMANDS_EACH):
            with transaction.atomic():
                ActivityLog.objects.create(
                    profile=profile, timestamp=NOON, command_text=f"w{number} c{n}", status="success"
                )

    _run_writers(record)
    row = UsageStatistic.objects.get(profile=profile, date=NOON.date())
    assert row.command_count == row.success_count == WRITERS * COMMANDS_EACH
    assert row.unique_commands == WRITERS * COMMANDS_EACH


@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_and_single_writes_match_a_recomputation():
    profile = UserProfile.objects.create(name="Busy Parent")

    def record(number):
        if number % 2:
            activity_record_many(
                rows=[
                    {"profile_id": profile.pk, "timestamp": NOON, "command_text": f"bulk {number}", "status": "failed"}
                    for _ in range(COMMANDS_EACH)
                ]
            )
        else:
            for n in range(COMMANDS_EACH):
                ActivityLog.objects.create(profile=profile, timestamp=NOON, command_text=f"one {n}", status="success")

    _run_writers(record)
    assert stored_statistics() == expected_statistics()
    assert UsageStatistic.objects.get(profile=profile).command_count == WRITERS * COMMANDS_EACH


@pytest.mark.django_db(transaction=True)
def test_refreshes_that_overlap_uncommitted_writes_do_not_lose_counts():
    """Every writer inserts, waits until all have inserted (uncommitted), then refreshes and commits.

    Without the per-profile lock each refresh sees only its own row and the last
    commit wins with a count of one.
    """
    profile = UserProfile.objects.create(name="Racing Kid")
    inserted = threading.Barrier(WRITERS)

    def record(number):
        with transaction.atomic():
            ActivityLog.objects.bulk_create(
                [ActivityLog(profile=profile, timestamp=NOON, command_text=f"race {number}", status="success")]
            )
            inserted.wait(timeout=30)
            usage_days_refresh(keys=[(profile.pk, NOON.date())])

    _run_writers(record)
    assert UsageStatistic.objects.get(profile=profile, date=NOON.date()).command_count == WRITERS
