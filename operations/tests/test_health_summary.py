"""The health page leads with a summary in words: all is well, or what needs a parent; the database's figures
wait under Details."""

from datetime import date, timedelta

import pytest
from django.test import Client

from operations.selectors import HealthReport, Level, health_summary
from profiles.services import family_member_create
from telemetry.tests.factories import SystemEventFactory
from tonnysite.clock import local_moment

pytestmark = pytest.mark.django_db

NOW = local_moment(date(2026, 12, 3), 14 * 60)  # Thu 3 Dec 2026, 14:00 in the family's zone
LAST_NIGHT = local_moment(date(2026, 12, 3), 2 * 60 + 30) - timedelta(days=1)  # yesterday at 02:30


def report(*findings: tuple[Level, str, str], open_events: dict | None = None) -> HealthReport:
    made = HealthReport(checked_at=NOW)
    made.add(Level.OK, "connection", "Connected to PostgreSQL 17 as tonny, database tonny.")
    for finding in findings:
        made.add(*finding)
    made.figures["open_events"] = open_events or {"error": 0, "critical": 0}
    return made


def backup(at):
    return SystemEventFactory(event_type="ops.backup", severity="info", timestamp=at, message="Backup written")


def test_a_quiet_day_says_all_is_well_in_words():
    summary = health_summary(report=report(), last_backup=backup(LAST_NIGHT), workers=1, now=NOW)

    assert summary.all_well
    assert summary.fine == ["the database answers", "the last backup was yesterday at 02:30", "no errors today"]


def test_a_missed_backup_needs_attention():
    summary = health_summary(report=report(), last_backup=backup(NOW - timedelta(days=3)), workers=1, now=NOW)

    assert summary.attention == ["The last backup was on Mon 30 Nov at 14:00: a nightly backup was missed."]


def test_no_backup_at_all_needs_attention():
    summary = health_summary(report=report(), last_backup=None, workers=1, now=NOW)

    assert not summary.all_well
    assert summary.attention[0].startswith("There is no backup yet")


def test_an_unresolved_error_needs_attention_with_when_it_came():
    SystemEventFactory(severity="error", resolved_at=None, timestamp=NOW - timedelta(hours=2))
    checks = report((Level.WARNING, "events", "1 error event is not resolved."), open_events={"error": 1})

    summary = health_summary(report=checks, last_backup=backup(LAST_NIGHT), workers=1, now=NOW)

    assert summary.attention == ["1 error is not resolved, the latest today at 12:00."]


def test_an_error_resolved_today_is_said_so():
    SystemEventFactory(severity="error", resolved_at=NOW, timestamp=NOW - timedelta(hours=1))

    summary = health_summary(report=report(), last_backup=backup(LAST_NIGHT), workers=1, now=NOW)

    assert summary.all_well and "today's errors are all resolved" in summary.fine


def test_a_warning_of_the_checks_and_a_missing_worker_need_attention():
    checks = report((Level.WARNING, "disk", "The data directory's disk is 85 % full (2.0 MB free)."))

    summary = health_summary(report=checks, last_backup=backup(LAST_NIGHT), workers=0, now=NOW)

    assert summary.attention == [
        "No job worker is running, so backups, the purge and the checks wait until one starts.",
        "Disk: The data directory's disk is 85 % full (2.0 MB free).",
    ]


def test_a_database_that_does_not_answer_says_so_first():
    down = HealthReport(checked_at=NOW)
    down.add(Level.PROBLEM, "connection", "connection refused")

    summary = health_summary(report=down, last_backup=None, workers=0, now=NOW)

    assert summary.attention[0] == "The database does not answer: connection refused"
    assert "the database answers" not in summary.fine


def test_the_page_leads_with_the_summary_and_keeps_the_figures_under_details():
    admin = family_member_create(name="Mum Member", permission_level="admin", username="mum", password="p-9f3c-mum")
    client = Client()
    client.force_login(admin.login.user, backend="django.contrib.auth.backends.ModelBackend")

    text = client.get("/admin/health/").text

    summary, details = text.split('id="health-status"')[1].split('id="health-details"')
    assert "Needs your attention:" in summary and "There is no backup yet" in summary
    assert "<details>" in details and "Largest tables" in details and "PostgreSQL" not in summary
