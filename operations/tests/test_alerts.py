"""Alerts to the family admins: each kind found on the real database, sent once an hour, delivered to a channel."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from notify.delivery import deliveries_send_due
from notify.services import channel_add
from notify.tests.receivers import JsonReceiver
from operations import alerts
from operations.services import ops_event_log
from profiles.models import PermissionLevel
from profiles.services import family_member_create
from telemetry.models import EventSeverity, Notification, Setting, SystemEvent
from telemetry.services import login_failure_log, login_lockout_log
from tests.helpers import family_with_logins

PASSWORD = "alerts-test-password-7d2e"


@pytest.fixture
def family(db) -> dict:
    return family_with_logins(PASSWORD)


@pytest.fixture
def webhook():
    receiver = JsonReceiver()
    yield receiver
    receiver.close()


def setting_set(key: str, value) -> None:
    Setting.objects.update_or_create(key=key, defaults={"value": value, "category": "alerts"})


def failures(username: str, count: int) -> None:
    for _ in range(count):
        login_failure_log(credentials={"username": username}, request=None)


def of_kind(found: list[alerts.Alert], kind: str) -> list[alerts.Alert]:
    return [alert for alert in found if alert.kind == kind]


def sent_of_kind(kind: str):
    return Notification.objects.filter(notification_type="alert", metadata__alert=kind)


def a_backup_made(hours_ago: float) -> None:
    ops_event_log(event_type="ops.backup", message="Backup written.", metadata={})
    SystemEvent.objects.filter(event_type="ops.backup").update(timestamp=timezone.now() - timedelta(hours=hours_ago))


def test_the_migration_adds_every_threshold_with_the_seed_s_number(db):
    migration = importlib.import_module("operations.migrations.0001_alert_settings")
    with connection.cursor() as cursor:
        cursor.execute(migration.insert_sql())  # a flushed test database has lost the migration's rows

    rows = {s.key: s for s in Setting.objects.filter(key__startswith="alerts.")}

    assert set(rows) == set(alerts.DEFAULTS)
    for key, (default, smallest, largest) in alerts.DEFAULTS.items():
        row = rows[key]
        assert (row.value, row.default_value, row.category) == (default, default, "alerts")
        assert (row.validation_schema["minimum"], row.validation_schema["maximum"]) == (smallest, largest)
        assert alerts.threshold(key) == default


def test_a_threshold_that_is_not_a_whole_number_in_range_falls_back_to_the_seed_s(db):
    setting_set("alerts.disk_percent", 150)
    assert alerts.threshold("alerts.disk_percent") == 80
    setting_set("alerts.disk_percent", True)
    assert alerts.threshold("alerts.disk_percent") == 80
    setting_set("alerts.disk_percent", 0)
    assert alerts.threshold("alerts.disk_percent") == 0


def test_failed_sign_ins_over_the_threshold_alert_once_an_hour_with_the_count(family):
    failures("mom", 7)

    first = of_kind(alerts.alerts_send(), "failed_sign_ins")
    again = of_kind(alerts.alerts_send(), "failed_sign_ins")

    assert first == [
        alerts.Alert("failed_sign_ins", "Failed sign-ins", "7 failed sign-ins for mom in the last 10 minutes.")
    ]
    assert again == []
    assert sent_of_kind("failed_sign_ins").count() == 1

    sent_of_kind("failed_sign_ins").update(created_at=timezone.now() - timedelta(hours=1, seconds=1))
    failures("mom", 1)
    later = of_kind(alerts.alerts_send(), "failed_sign_ins")

    assert [alert.message for alert in later] == ["8 failed sign-ins for mom in the last 10 minutes."]
    assert sent_of_kind("failed_sign_ins").count() == 2


def test_failed_sign_ins_for_several_names_are_counted_together_and_by_name(family):
    failures("mom", 4)
    failures("dad", 2)

    (alert,) = of_kind(alerts.alerts_due(), "failed_sign_ins")

    assert alert.message == "6 failed sign-ins (4 for mom, 2 for dad) in the last 10 minutes."


def test_failed_sign_ins_below_the_threshold_or_outside_the_window_send_nothing(family):
    failures("mom", 4)
    assert of_kind(alerts.alerts_send(), "failed_sign_ins") == []

    failures("mom", 1)
    setting_set("alerts.failed_sign_ins", 6)
    assert of_kind(alerts.alerts_send(), "failed_sign_ins") == []

    setting_set("alerts.failed_sign_ins", 5)
    SystemEvent.objects.filter(event_type="auth.login_failed").update(timestamp=timezone.now() - timedelta(minutes=11))
    assert of_kind(alerts.alerts_send(), "failed_sign_ins") == []
    assert not sent_of_kind("failed_sign_ins").exists()


def test_a_lockout_alerts_with_the_name(family):
    login_lockout_log(username="mom", ip_address="192.0.2.7", request=None)

    (alert,) = of_kind(alerts.alerts_send(), "lockouts")

    assert alert.message == (
        "1 sign-in lockout for mom after repeated failures in the last hour; "
        "manage.py axes_reset unlocks a name before the cool-off ends."
    )


def test_no_backup_at_all_alerts(family):
    (alert,) = of_kind(alerts.alerts_send(), "backup")

    assert alert.message == "There is no backup yet: manage.py tonny_backup makes one."


def test_a_backup_missed_alerts_as_the_health_page_judges_it(family):
    a_backup_made(hours_ago=alerts.BACKUP_OVERDUE.total_seconds() / 3600 + 1)

    (alert,) = of_kind(alerts.alerts_due(), "backup")

    assert alert.title == "A backup was missed"
    assert alert.message.startswith("The last backup was ") and alert.message.endswith("a nightly backup was missed.")


def test_a_recent_backup_alerts_nothing_until_the_backup_job_fails(family):
    a_backup_made(hours_ago=3)
    assert of_kind(alerts.alerts_due(), "backup") == []

    ops_event_log(
        event_type="ops.job_failed",
        message="Backup (the newest 7 kept) failed: no room.",
        metadata={"task": "operations.backup", "error": "OperationError"},
        severity=EventSeverity.ERROR,
    )
    (alert,) = of_kind(alerts.alerts_due(), "backup")

    assert alert.title == "The backup failed"
    assert re.fullmatch(
        r"The backup failed today at .+; the last good one was .+\. The System health page says why\.", alert.message
    )


def test_a_disk_over_the_threshold_alerts_and_under_it_not(family):
    setting_set("alerts.disk_percent", 100)
    assert of_kind(alerts.alerts_due(), "disk") == []

    setting_set("alerts.disk_percent", 0)
    (alert,) = of_kind(alerts.alerts_due(), "disk")

    assert "the backups" in alert.message
    assert re.fullmatch(r"(The disk holding [a-z ]+ is \d+ % full \([\d,.]+ MB free\)\. ?)+", alert.message)


def test_connections_over_the_threshold_alert_and_under_it_not(family):
    assert of_kind(alerts.alerts_due(), "connections") == []  # this test run is far from 80 % of the server's limit

    setting_set("alerts.connections_percent", 0)
    (alert,) = of_kind(alerts.alerts_due(), "connections")

    assert re.fullmatch(
        r"The database has \d+ of its \d+ connections in use \(\d+ %\); "
        r"at the limit, pages and the tray stop answering\.",
        alert.message,
    )


def job_run(task_name: str, *, ends: str) -> None:
    """A job deferred, started and ended as a worker does (Procrastinate's triggers record each step)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args) VALUES ('operations', %s, '{}') RETURNING id",
            [task_name],
        )
        job = cursor.fetchone()[0]
        for status in ("doing", ends):
            cursor.execute("UPDATE procrastinate_jobs SET status = %s WHERE id = %s", [status, job])


def test_a_failed_job_alerts_by_its_title_and_a_succeeded_one_not(family):
    job_run("operations.vacuum", ends="succeeded")
    assert of_kind(alerts.alerts_due(), "jobs_failed") == []

    job_run("operations.purge", ends="failed")
    job_run("operations.purge", ends="failed")
    job_run("notifications.deliver", ends="failed")
    job_run("operations.reindex", ends="failed")
    with connection.cursor() as cursor:  # retried: waiting for another go, not failed any more
        cursor.execute("UPDATE procrastinate_jobs SET status = 'todo' WHERE task_name = 'operations.reindex'")
    (alert,) = of_kind(alerts.alerts_send(), "jobs_failed")

    assert alert.message == "3 jobs failed in the last hour: Retention purge (2 times), notifications.deliver."
    assert of_kind(alerts.alerts_send(), "jobs_failed") == []


def test_slow_queries_stay_silent_without_pg_stat_statements(family):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")
        if cursor.fetchone():
            pytest.skip("pg_stat_statements is installed on this server")
    setting_set("alerts.slow_query_ms", 1)

    assert alerts.slow_queries_alert(now=timezone.now(), since=None) is None


def test_an_alert_reaches_every_active_family_admin_s_channel_and_no_one_else(family, webhook):
    others = JsonReceiver()
    try:
        mum = family_member_create(name="Mum", permission_level=PermissionLevel.ADMIN)
        away = family_member_create(name="Away", permission_level=PermissionLevel.ADMIN)
        away.is_active = False
        away.save()
        channel_add(profile=family["admin"], address=webhook.address, name="Dad's phone")
        channel_add(profile=mum, address=webhook.address, name="Mum's phone")
        for member in (family["user"], family["kid"], away):
            channel_add(profile=member, address=others.address, name="Phone")
        failures("mom", 5)

        alerts.alerts_send()
        result = deliveries_send_due()

        message = "5 failed sign-ins for mom in the last 10 minutes."
        assert result.sent >= 2
        assert webhook.messages.count(message) == 2
        assert others.received == []
        assert set(Notification.objects.filter(notification_type="alert").values_list("profile__name", flat=True)) == {
            family["admin"].name,
            "Mum",
        }
    finally:
        others.close()


def test_the_command_prints_what_is_due_and_sends_only_when_told(family, capsys):
    failures("mom", 5)

    call_command("alerts_check")
    printed = capsys.readouterr().out
    assert "Failed sign-ins: 5 failed sign-ins for mom in the last 10 minutes." in printed
    assert "Not sent" in printed and not sent_of_kind("failed_sign_ins").exists()

    call_command("alerts_check", "--send")
    assert "Sent " in capsys.readouterr().out and sent_of_kind("failed_sign_ins").count() == 1

    call_command("alerts_check")
    assert "failed sign-ins for mom" not in capsys.readouterr().out
