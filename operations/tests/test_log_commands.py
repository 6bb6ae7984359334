"""privacy.log_commands = false keeps what was said out of the database, by every way rows arrive.

The admin offers no way to add or edit a command's text (see tests/admin/test_access_matrix.py), so
the write paths are the ORM (what services and signals use), the bulk path (COPY) and plain SQL
(what the tray does). One trigger serves them all.
"""

import pytest
from django.db import connection
from django.utils import timezone

from activity.models import COMMAND_NOT_LOGGED, ActivityLog, CommandHistory
from activity.services import activity_record_many
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory
from profiles.tests.factories import UserProfileFactory
from telemetry.models import Setting

pytestmark = pytest.mark.django_db

SAID = "tell me the wifi password of the neighbours"


@pytest.fixture
def logging_off():
    Setting.objects.update_or_create(key="privacy.log_commands", defaults={"value": False, "category": "privacy"})


def test_orm_insert_stores_the_placeholder_when_logging_is_off(logging_off):
    row = ActivityLogFactory(command_text=SAID)

    assert ActivityLog.objects.get(pk=row.pk).command_text == COMMAND_NOT_LOGGED


def test_orm_edit_of_the_text_stores_the_placeholder_when_logging_is_off(logging_off):
    row = ActivityLogFactory()
    row.command_text = SAID
    row.save()

    assert ActivityLog.objects.get(pk=row.pk).command_text == COMMAND_NOT_LOGGED


def test_command_history_keeps_neither_command_nor_transcription_when_logging_is_off(logging_off):
    row = CommandHistoryFactory(command=SAID, raw_transcription=SAID, normalized_command=SAID)

    stored = CommandHistory.objects.get(pk=row.pk)
    assert (stored.command, stored.raw_transcription, stored.normalized_command) == (
        COMMAND_NOT_LOGGED,
        COMMAND_NOT_LOGGED,
        None,
    )
    assert stored.command_category == "lights"  # what is not text stays


def test_bulk_path_stores_the_placeholder_when_logging_is_off(logging_off):
    profile = UserProfileFactory()

    activity_record_many(rows=[{"profile_id": profile.pk, "command_text": SAID, "status": "success"}] * 3)

    assert (
        list(ActivityLog.objects.filter(profile=profile).values_list("command_text", flat=True))
        == [COMMAND_NOT_LOGGED] * 3
    )


def test_plain_sql_insert_and_update_store_the_placeholder_when_logging_is_off(logging_off):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO activity_logs (command_text, status) VALUES (%s, 'pending') RETURNING id", [SAID])
        activity_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO command_history (command, raw_transcription) VALUES (%s, %s) RETURNING id", [SAID, SAID]
        )
        history_id = cursor.fetchone()[0]
        cursor.execute("UPDATE activity_logs SET command_text = %s WHERE id = %s", [SAID + "!", activity_id])
        cursor.execute(
            "SELECT a.command_text, h.command, h.raw_transcription FROM activity_logs a, command_history h "
            "WHERE a.id = %s AND h.id = %s",
            [activity_id, history_id],
        )
        assert cursor.fetchone() == (COMMAND_NOT_LOGGED,) * 3


def test_the_text_is_kept_when_logging_is_on_or_not_set():
    first = ActivityLogFactory(command_text=SAID)
    Setting.objects.create(key="privacy.log_commands", value=True, category="privacy")
    second = ActivityLogFactory(command_text=SAID)

    assert set(ActivityLog.objects.filter(pk__in=[first.pk, second.pk]).values_list("command_text", flat=True)) == {
        SAID
    }


def test_turning_logging_off_changes_no_row_already_stored_but_a_status_update_keeps_working(logging_off):
    Setting.objects.filter(key="privacy.log_commands").update(value=True)
    row = ActivityLogFactory(command_text=SAID, status="pending")
    Setting.objects.filter(key="privacy.log_commands").update(value=False)

    ActivityLog.objects.filter(pk=row.pk).update(status="success", timestamp=timezone.now())

    assert ActivityLog.objects.get(pk=row.pk).command_text == SAID
