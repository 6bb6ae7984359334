"""Say which alerts are due now; with --send, push them to the family admins (as the 5-minute job does)."""

from django.core.management.base import BaseCommand

from operations.alerts import alerts_due, alerts_send


class Command(BaseCommand):
    help = (
        "Check failed sign-ins, lockouts, the backup, the disks, slow queries, connections and failed jobs "
        "against the alerts.* settings and print the alerts due (each kind at most once an hour); "
        "--send pushes them to every active family admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--send", action="store_true", help="Push the due alerts to the family admins.")

    def handle(self, *args, **options):
        alerts = alerts_send() if options["send"] else alerts_due()
        for alert in alerts:
            self.stdout.write(f"{alert.title}: {alert.message}")
        if not alerts:
            self.stdout.write(self.style.SUCCESS("No alert is due."))
        elif options["send"]:
            self.stdout.write(self.style.SUCCESS(f"Sent {len(alerts)} alert{'s' if len(alerts) != 1 else ''}."))
        else:
            self.stdout.write("Not sent: add --send to tell the family admins.")
