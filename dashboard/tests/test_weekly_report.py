"""The weekly report (issue 23): its figures against usage_statistics, its words, the command, and sending it once.

Every test reads 2026-W47 (Monday 16 to Sunday 22 November 2026, Berlin), so none depends on today's date.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from activity.models import CommandStatus, UsageStatistic
from activity.tests.factories import ActivityLogFactory, UsageStatisticFactory
from dashboard.report import family_report, report_email, report_text
from dashboard.services import family_report_send
from dashboard.tasks import weekly_report
from dashboard.tests.helpers import local
from history.models import Change
from notify.delivery import deliveries_send_due
from notify.services import channel_add
from notify.tests.receivers import JsonReceiver, SmtpReceiver
from parental.models import ParentRequest, RequestKind, RequestStatus
from profiles.models import PermissionLevel
from profiles.services import family_member_create
from telemetry.models import Notification

MONDAY = date(2026, 11, 16)
SUNDAY = date(2026, 11, 22)
LIMITS_BEFORE = {"school_day_limit": 60, "weekend_limit": 90}
LIMITS_AFTER = {"school_day_limit": 30, "weekend_limit": 90}  # from Wednesday 18 Nov, 12:00
ALEX_LINE = (
    "Alex: 4 h 25 min this week (limit 6 h 30 min), over on Tuesday, Wednesday and Saturday; "
    "4 refused (3 not in Alex's allowed list, 1 outside Alex's allowed hours); asked twice, 1 yes, 1 waiting\n"
    "  Most said: “lights on” (6), “weather” (6), “music” (4)"
)


def _usage(member, day: date, **fields) -> None:
    """The day's usage_statistics row exactly as given (replacing what the activity signals derived)."""
    UsageStatistic.objects.filter(profile=member, date=day).delete()
    UsageStatisticFactory(profile=member, date=day, **fields)


def _refused(member, moment: datetime, reason: str) -> None:
    ActivityLogFactory(
        profile=member,
        timestamp=moment,
        status=CommandStatus.FAILED,
        metadata={"error_type": "policy_refused", "policy": {"reason": reason, "rule": "test"}},
    )


def _admin(name: str, email: str, *, is_active: bool = True):
    admin = family_member_create(
        name=name, permission_level=PermissionLevel.ADMIN, username=name.lower(), is_active=is_active
    )
    admin.login.user.email = email
    admin.login.user.save(update_fields=["email"])
    return admin


@pytest.fixture
def week(db) -> dict:
    """Alex's week 2026-W47, with a school-day limit cut from 60 to 30 minutes on Wednesday at noon;
    Sam, who did nothing; Dad and Mum (admins with e-mail), Grandma (admin without), Grandpa (admin, inactive)."""
    alex = family_member_create(name="Alex", permission_level=PermissionLevel.KID, usage_limits=LIMITS_AFTER)
    sam = family_member_create(name="Sam", permission_level=PermissionLevel.USER)
    # The rules before the history was kept are the current ones; the one change is Wednesday's.
    Change.objects.filter(row_id=str(alex.pk)).delete()
    Change.objects.create(
        changed_at=local(2026, 11, 18, 12, 0),
        table_name="user_profiles",
        row_id=str(alex.pk),
        row_label=alex.name,
        profile_id=alex.pk,
        member_name=alex.name,
        action="update",
        changes={"usage_limits": {"before": LIMITS_BEFORE, "after": LIMITS_AFTER}},
        actor="dad",
        via="admin",
    )
    for minute in range(3):
        _refused(alex, local(2026, 11, 17, 16, minute), "not_in_allowed_list")
    _refused(alex, local(2026, 11, 21, 22, 30), "outside_allowed_hours")
    # Monday 23 Nov 00:30 in Berlin is still Sunday in UTC: next week, not this one.
    _refused(alex, local(2026, 11, 23, 0, 30), "blocked_command")
    _refused(alex, local(2026, 11, 15, 23, 30), "blocked_command")
    _usage(alex, MONDAY, total_duration_seconds=50 * 60, top_commands={"lights on": 5, "weather": 2})
    _usage(
        alex,
        date(2026, 11, 17),
        total_duration_seconds=70 * 60,
        error_types={"policy_refused": 3},
        top_commands={"weather": 4, "music": 1, "timer": 1},
    )
    _usage(alex, date(2026, 11, 18), total_duration_seconds=45 * 60)
    _usage(
        alex,
        date(2026, 11, 21),
        total_duration_seconds=100 * 60,
        error_types={"policy_refused": 1},
        top_commands={"music": 3, "lights on": 1},
    )
    _usage(alex, date(2026, 11, 23), total_duration_seconds=500 * 60)  # next week
    UsageStatistic.objects.filter(profile=alex, date=SUNDAY).delete()
    approval = {"status": RequestStatus.APPROVED, "approved_until": local(2026, 11, 18, 20, 0)}
    ParentRequest.objects.create(
        profile=alex, kind=RequestKind.MORE_TIME, created_at=local(2026, 11, 18, 17), **approval
    )
    ParentRequest.objects.create(profile=alex, kind=RequestKind.MORE_TIME, created_at=local(2026, 11, 22, 18))
    ParentRequest.objects.create(profile=alex, kind=RequestKind.MORE_TIME, created_at=local(2026, 11, 15, 18))
    return {
        "alex": alex,
        "sam": sam,
        "dad": _admin("Dad", "dad@example.com"),
        "mum": _admin("Mum", "mum@example.com"),
        "grandma": _admin("Grandma", ""),
        "grandpa": _admin("Grandpa", "grandpa@example.com", is_active=False),
    }


@pytest.fixture
def phones():
    receiver = JsonReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def mailbox(settings):
    """A real SMTP server on localhost, and the default mailer pointed at it."""
    receiver = SmtpReceiver()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": receiver.port, "timeout": 10},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "TonnyTray <tonny@example.com>"
    yield receiver
    receiver.close()


@pytest.fixture
def admin_channels(week, phones) -> JsonReceiver:
    """Dad's and Mum's phones take the weekly report; Grandma's channel takes requests only."""
    channel_add(profile=week["dad"], address=phones.address, name="Dad's phone")
    channel_add(profile=week["mum"], address=phones.address, name="Mum's phone")
    channel_add(profile=week["grandma"], address=phones.address, name="Grandma's tablet", kinds=["requests"])
    return phones


def _alex(report):
    return next(member for member in report.members if member.name == "Alex")


def test_each_day_is_judged_by_the_limit_in_force_that_day(week):
    alex = _alex(family_report(week=MONDAY))

    assert [day.day for day in alex.days] == [date(2026, 11, day) for day in range(16, 23)]
    assert [day.limit for day in alex.days] == [60, 60, 30, 30, 30, 90, 90]
    assert [day.minutes for day in alex.days] == [50, 70, 45, 0, 0, 100, 0]
    # Monday's 50 minutes were within that day's 60, though today's rule would allow 30.
    assert [day.weekday for day in alex.over_days] == ["Tuesday", "Wednesday", "Saturday"]
    assert (alex.minutes, alex.limit) == (265, 390)


def test_refusals_requests_and_top_commands_count_the_week_in_the_family_zone_only(week):
    alex = _alex(family_report(week=MONDAY))

    assert alex.refused == 4
    assert alex.refused_why == [("not in Alex's allowed list", 3), ("outside Alex's allowed hours", 1)]
    assert alex.requests == {RequestStatus.APPROVED: 1, RequestStatus.PENDING: 1}
    assert alex.top_commands == [("lights on", 6), ("weather", 6), ("music", 4)]


def test_every_member_is_in_the_report_kids_first(week):
    names = [member.name for member in family_report(week=MONDAY).members]

    assert names == ["Alex", "Sam", "Dad", "Grandma", "Grandpa", "Mum"]


def test_a_week_starts_on_a_monday(db):
    with pytest.raises(ValueError, match="2026-11-17 is a Tuesday"):
        family_report(week=date(2026, 11, 17))


def test_the_text_says_each_members_week_in_words(week):
    report = family_report(week=MONDAY)
    lines = report_text(report)

    assert report.title == "The family's week: 16–22 Nov"
    assert lines.startswith(ALEX_LINE + "\nSam: not used this week.\n")
    assert str(week["alex"].pk) not in lines and "{" not in lines


def test_the_email_has_a_table_per_member_and_a_plain_text_alternative(week):
    subject, text, html = report_email(family_report(week=MONDAY))

    assert subject == "The family's week: 16–22 Nov"
    assert "<h2" in html and html.count("<table") == 6
    assert "Wed 18 Nov</th>" in html and "30 min (over)" in html and "4 h 25 min" in html
    assert "Alex&#x27;s allowed list" in html  # escaped, never raw
    assert "Wednesday   45 min   limit 30 min, over" in text
    assert "Monday      50 min   limit 60 min\n" in text and "<" not in text


def test_the_command_prints_the_weeks_text(week):
    out = StringIO()
    call_command("family_report", "--week", "2026-W47", stdout=out)

    assert out.getvalue().startswith("The family's week: 16–22 Nov\n" + ALEX_LINE)
    assert not Notification.objects.filter(notification_type="weekly_report").exists()


@pytest.mark.parametrize("bad", ["2026-W60", "2026-W00", "x", "2026-W4\x007", "2026W47", "2026-W47 "])
def test_a_bad_week_is_refused_in_one_line_with_returncode_2(db, bad):
    with pytest.raises(CommandError) as error:
        call_command("family_report", "--week", bad, stdout=StringIO())

    assert error.value.returncode == 2
    assert str(error.value).startswith("--week takes an ISO week such as 2026-W47") and "\n" not in str(error.value)


def test_the_command_exits_with_2_and_one_line_on_a_bad_week():
    result = subprocess.run(
        [sys.executable, "manage.py", "family_report", "--week", "2026-W60"],
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
    )

    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "ISO week" in result.stderr


def test_send_pushes_once_per_admin_channel_and_mails_each_admin_with_an_address(week, admin_channels, mailbox):
    out = StringIO()
    call_command("family_report", "--week", "2026-W47", "--send", stdout=out)
    deliveries_send_due()

    assert out.getvalue().endswith("Sent to 3 parents (on their phones) and 2 mailboxes.\n")
    assert sorted(item["title"] for item in admin_channels.received) == ["The family's week: 16–22 Nov"] * 2
    assert all(ALEX_LINE in message for message in admin_channels.messages)
    pushed = Notification.objects.filter(notification_type="weekly_report", metadata__week="2026-W47")
    assert sorted(pushed.values_list("profile__name", flat=True)) == ["Dad", "Grandma", "Mum"]
    assert sorted(message["To"] for message in mailbox.received) == ["dad@example.com", "mum@example.com"]
    for message in mailbox.received:
        assert message["Subject"] == "The family's week: 16–22 Nov"
        html = message.get_body(preferencelist=("html",)).get_content()
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "Tue 17 Nov</th>" in html and "70 min" in html and "4 h 25 min" in html
        assert "Tuesday     70 min   limit 60 min, over" in text


def test_the_sunday_task_sends_the_week_once_from_19_in_the_family_zone(week, admin_channels, mailbox):
    def run(moment: datetime) -> None:
        weekly_report(int(moment.timestamp()))

    run(datetime(2026, 11, 22, 17, 59, tzinfo=UTC))  # 18:59 in Berlin
    assert not Notification.objects.filter(notification_type="weekly_report").exists()

    run(datetime(2026, 11, 22, 18, 0, tzinfo=UTC))  # 19:00 in Berlin
    run(datetime(2026, 11, 22, 19, 0, tzinfo=UTC))  # the next hour
    run(datetime(2026, 11, 22, 18, 0, tzinfo=UTC))  # the same time again (a second worker)
    deliveries_send_due()

    pushed = Notification.objects.filter(notification_type="weekly_report")
    assert sorted(pushed.values_list("metadata__week", flat=True)) == ["2026-W47"] * 3
    assert len(admin_channels.received) == 2 and len(mailbox.received) == 2


def test_the_task_does_nothing_on_other_days(week, admin_channels, mailbox):
    weekly_report(int(datetime(2026, 11, 21, 20, 0, tzinfo=UTC).timestamp()))  # Saturday 21:00 in Berlin
    weekly_report(int(datetime(2026, 11, 23, 6, 0, tzinfo=UTC).timestamp()))  # Monday morning

    assert not Notification.objects.filter(notification_type="weekly_report").exists()
    assert mailbox.received == []


def test_sending_a_week_by_hand_counts_for_the_task(week, admin_channels, mailbox):
    family_report_send(week=MONDAY)
    weekly_report(int(datetime(2026, 11, 22, 18, 0, tzinfo=UTC).timestamp()))

    assert Notification.objects.filter(notification_type="weekly_report").count() == 3
    assert len(mailbox.received) == 2
