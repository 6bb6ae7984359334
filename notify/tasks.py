"""The notification worker: Procrastinate runs it every minute on whichever worker is free."""

from procrastinate.contrib.django import app

from notify import delivery
from telemetry import delivery as webhook


def deliver_everything_due() -> tuple[webhook.DeliveryRound, delivery.DeliveryRound]:
    """The family webhook's due notifications (telemetry.delivery), then every channel's deliveries."""
    return webhook.notifications_deliver_due(), delivery.deliveries_send_due()


@app.periodic(cron="* * * * *")
@app.task(name="notifications.deliver", queue="notifications", queueing_lock="notifications.deliver")
def deliver_notifications(timestamp: int) -> None:
    """Send what is due: the family webhook's and the channels' (see deliver_everything_due)."""
    deliver_everything_due()
