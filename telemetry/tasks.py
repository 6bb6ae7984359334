"""The notification worker: Procrastinate runs it every minute on whichever worker is free."""

from procrastinate.contrib.django import app

from telemetry import delivery


@app.periodic(cron="* * * * *")
@app.task(name="notifications.deliver", queue="notifications", queueing_lock="notifications.deliver")
def deliver_notifications(timestamp: int) -> None:
    """Send the due push notifications (see telemetry.delivery.notifications_deliver_due)."""
    delivery.notifications_deliver_due()
