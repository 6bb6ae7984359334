"""Replace the database with a backup (init.sh --restore)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.commands import database_replace_confirm, operation_errors
from operations.services import backup_restore


class Command(BaseCommand):
    help = "Replace everything in the database with the backup FILE (asks first unless --yes)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup written by tonny_backup (pg_dump custom format).")
        parser.add_argument("--yes", action="store_true", help="Do not ask: overwrite the database.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        database = database_replace_confirm(
            yes=options["yes"],
            warning=lambda name: f"This replaces EVERYTHING in the database {name!r} with {path.name}.",
            stdout=self.stdout,
        )
        with operation_errors():
            backup_restore(path=path, say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Database {database} restored from {path}."))
