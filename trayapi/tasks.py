"""The notification worker: Procrastinate runs it every minute on whichever worker is free."""

from procrastinate.contrib.django import app

from trayapi import services


@app.periodic(cron="* * * * *")
@app.task(name="notifications.deliver", queue="notifications", queueing_lock="notifications.deliver")
def deliver_notifications(timestamp: int) -> None:
    """Send the due push notifications (see trayapi.services.notifications_deliver_due)."""
    services.notifications_deliver_due()
