"""manage.py family_report [--week 2026-W47] [--send]: the family's week in words, and sending it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from dashboard.report import family_report, report_text
from dashboard.services import family_report_send
from tonnysite.clock import local_today

ISO_WEEK = re.compile(r"(\d{4})-W(\d{2})")
BAD_WEEK = "--week takes an ISO week such as 2026-W47: a year, -W, and a week from 01 to 52 (53 in some years)."


def week_monday(text: str | None) -> date:
    """The Monday of ISO week `text` ("2026-W47"), or of the last full week (Monday to Sunday) in the family's zone."""
    if text is None:
        today = local_today()
        return today - timedelta(days=today.weekday() + 7)
    match = ISO_WEEK.fullmatch(text)
    if match is None:
        raise CommandError(BAD_WEEK, returncode=2)
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise CommandError(BAD_WEEK, returncode=2) from None


class Command(BaseCommand):
    help = (
        "Print the family's weekly report (default: the last full week, Monday to Sunday, in the family's "
        "time zone); with --send, push it to every family admin's phone and e-mail it to their logins' addresses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--week", help="The ISO week, such as 2026-W47.")
        parser.add_argument("--send", action="store_true", help="Send it to the family admins (push and e-mail).")

    def handle(self, *args, week=None, send=False, **options):
        monday = week_monday(week)
        report = family_report(week=monday)
        self.stdout.write(report.title)
        self.stdout.write(report_text(report))
        if send:
            sent = family_report_send(week=monday)
            parents = f"{sent.parents} parent{'s' if sent.parents != 1 else ''}"
            mailboxes = f"{sent.mailboxes} mailbox{'es' if sent.mailboxes != 1 else ''}"
            self.stdout.write(f"Sent to {parents} (on their phones) and {mailboxes}.")
