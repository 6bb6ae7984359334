"""Sending the weekly report (issue 23) to the family admins: a push to their phones and an e-mail.

The push goes through `notify.services.notifications_push` (type weekly_report, to every channel that
takes the weekly report); the e-mail goes through Django's default mailer (settings.MAILERS, from
EMAIL_URL) to each admin's login e-mail address. The queued notification, with {"week": "2026-W47"}
in its metadata, is what says a week was sent: the Sunday task sends a week once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction

from dashboard.report import FamilyReport, family_report, iso_week, report_email, report_text
from notify.services import notifications_push
from profiles.models import UserProfile
from profiles.selectors import family_admins
from telemetry.models import Notification
from tonnysite.clock import family_zone

NOTIFICATION_TYPE = "weekly_report"
PRIORITY = 4
# Sunday from 19:00 in the family's zone: the week just ending is sent (the hourly task's rule).
SEND_WEEKDAY, SEND_HOUR = 6, 19


@dataclass(frozen=True)
class ReportSent:
    week: str  # "2026-W47"
    parents: int  # family admins told on their phones (one queued notification each)
    mailboxes: int  # e-mails sent


def family_report_send(*, week) -> ReportSent:
    """Push the week's text to every active family admin and e-mail them the full report (HTML and text)."""
    report = family_report(week=week)
    with transaction.atomic():
        admins = _report_push(report)
    return ReportSent(week=report.iso_week, parents=len(admins), mailboxes=_report_mail(report, admins))


def family_report_send_when_due(*, now: datetime) -> ReportSent | None:
    """Send the week ending today when it is Sunday, 19:00 or later in the family's zone, and that week was
    not sent yet; else nothing. Safe to run hourly and on several workers: each week is sent once."""
    local = now.astimezone(family_zone())
    if local.weekday() != SEND_WEEKDAY or local.hour < SEND_HOUR:
        return None
    monday = local.date() - timedelta(days=SEND_WEEKDAY)
    with transaction.atomic():
        # Two runs at once wait for each other here, and the second sees the first one's notifications.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('dashboard.weekly_report'))")
        if weekly_report_sent(week=iso_week(monday)):
            return None
        report = family_report(week=monday)
        admins = _report_push(report)
    return ReportSent(week=report.iso_week, parents=len(admins), mailboxes=_report_mail(report, admins))


def weekly_report_sent(*, week: str) -> bool:
    """Whether the report of ISO week `week` ("2026-W47") was sent (a weekly_report notification names it)."""
    return Notification.objects.filter(notification_type=NOTIFICATION_TYPE, metadata__contains={"week": week}).exists()


def _report_push(report: FamilyReport) -> list[UserProfile]:
    admins = list(family_admins().select_related("login__user").order_by("name"))
    notifications_push(
        profiles=admins,
        notification_type=NOTIFICATION_TYPE,
        title=report.title,
        message=report_text(report),
        priority=PRIORITY,
        metadata={"week": report.iso_week},
    )
    return admins


def _report_mail(report: FamilyReport, admins: list[UserProfile]) -> int:
    """E-mail each admin with a login e-mail address (one message each: no parent sees another's address)."""
    addresses = []
    for admin in admins:
        login = getattr(admin, "login", None)
        email = login.user.email.strip() if login is not None else ""
        if email and email not in addresses:
            addresses.append(email)
    if not addresses:
        return 0
    subject, text, html = report_email(report)
    messages = []
    for address in addresses:
        message = EmailMultiAlternatives(subject=subject, body=text, to=[address])
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return mailers.default.send_messages(messages) or 0
