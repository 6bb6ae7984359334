"""Drop and recreate the schema, empty or with the sample family (init.sh --reset [--with-samples])."""

from django.core.management.base import BaseCommand

from operations.commands import database_replace_confirm, operation_errors
from operations.services import database_reset
from tonnysite.commands import refuse_on_production


class Command(BaseCommand):
    help = "DESTROY every row: drop the schema, migrate it again, optionally load the sample family."

    def add_arguments(self, parser):
        parser.add_argument("--with-samples", action="store_true", help="Load the sample family afterwards.")
        parser.add_argument("--yes", action="store_true", help="Do not ask.")
        parser.add_argument("--force", action="store_true", help="Allow --with-samples under production settings.")

    def handle(self, *args, **options):
        if options["with_samples"]:
            refuse_on_production(command="tonny_reset --with-samples", force=options["force"])
        database = database_replace_confirm(
            yes=options["yes"],
            warning=lambda name: f"This DELETES EVERY MEMBER, COMMAND, SETTING AND LOGIN in the database {name!r}.",
            stdout=self.stdout,
        )
        with operation_errors():
            database_reset(with_samples=options["with_samples"], say=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Database {database} reset. `make run` (or manage.py ensure_family_admin) "
                "creates the first login again."
            )
        )
