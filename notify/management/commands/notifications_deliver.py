"""Deliver everything that is due once, then exit (for scripts and tests; the worker does it every minute)."""

from django.core.management.base import BaseCommand

from notify.tasks import deliver_everything_due


class Command(BaseCommand):
    help = "Send every notification that is due to the family webhook and to each member's channels, once, and exit."

    def handle(self, *args, **options):
        webhook, channels = deliver_everything_due()
        self.stdout.write(
            f"Family webhook: {webhook.sent} sent, {webhook.failed} to retry, {webhook.given_up} given up. "
            f"Channels: {channels.sent} sent, {channels.failed} to retry, {channels.given_up} given up."
        )
