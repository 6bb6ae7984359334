"""The weekly report's task: Procrastinate runs it hourly, and it sends on Sunday from 19:00 in the family's zone.

A cron line is in UTC and the family's zone is a setting (with summer time), so the task runs every hour
and the service decides: Sunday, 19:00 or later on the family's clock, and the week not sent yet (a
weekly_report notification names the week). An hour missed while the machine slept is run once when a
worker starts (PROCRASTINATE_PERIODIC_DEFAULTS); Procrastinate defers each scheduled time once, and the
service's lock and check keep a week from going out twice whatever runs it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from procrastinate.contrib.django import app

from dashboard.services import family_report_send_when_due

NAME = "dashboard.weekly_report"


@app.periodic(cron="0 * * * *")
@app.task(name=NAME, queue="notifications", queueing_lock=NAME)
def weekly_report(timestamp: int) -> None:
    """Send the week ending today to the family admins when it is Sunday evening and it was not sent yet."""
    family_report_send_when_due(now=datetime.fromtimestamp(timestamp, UTC))
