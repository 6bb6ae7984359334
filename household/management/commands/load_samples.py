"""Load the sample family: a household, its quick actions and settings, and three weeks of history."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from household.sample_family import SAMPLE_PASSWORDS, SAMPLE_PIN
from household.samples import sample_family_load
from tonnysite.commands import refuse_on_production


class Command(BaseCommand):
    help = (
        "Load the sample family (Dad, Mom, Alex, Guest) with quick actions, the tray's settings and three weeks "
        "of activity. Idempotent; --reset replaces the sample data only. "
        "Refuses to run under production settings unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Replace the sample data (never the family's own).")
        parser.add_argument("--if-empty", action="store_true", help="Load only into a database without profiles.")
        parser.add_argument("--force", action="store_true", help="Run even under production settings.")

    def handle(self, *args, **options):
        refuse_on_production(command="load_samples", force=options["force"])
        try:
            report = sample_family_load(reset=options["reset"], if_empty=options["if_empty"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if report.skipped_reason:
            self.stdout.write(f"Sample family not loaded: {report.skipped_reason} (`make samples` loads it anyway).")
            return
        if not report.changed:
            self.stdout.write("The sample family is loaded already; nothing changed (--reset replaces it).")
            return
        for label, names in (
            ("Profiles created", report.profiles_created),
            ("Profiles reset", report.profiles_reset),
            ("Quick actions created", report.quick_actions_created),
            ("Quick actions reset", report.quick_actions_reset),
            ("Quick actions kept (yours, same id)", report.quick_actions_kept),
            ("Settings created", report.settings_created),
        ):
            if names:
                self.stdout.write(f"{label}: {', '.join(names)}")
        for label, counts in (("Deleted", report.rows_deleted), ("Created", report.rows_created)):
            if any(counts.values()):
                self.stdout.write(f"{label}: " + ", ".join(f"{n:,} {table}" for table, n in counts.items() if n))
        for username in report.logins_created:
            self.stdout.write(f"Sample login: {username} / {SAMPLE_PASSWORDS[username]}")
        if "Alex" in report.profiles_created + report.profiles_reset:
            self.stdout.write(f"Alex's parental-control PIN: {SAMPLE_PIN}")
        self.stdout.write(self.style.SUCCESS("Sample family loaded."))
