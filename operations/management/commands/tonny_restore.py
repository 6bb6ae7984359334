"""Replace the database with a backup (init.sh --restore)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.confirm import destruction_confirm
from operations.database import OperationError, app_login
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
        database = app_login().dbname
        destruction_confirm(
            yes=options["yes"],
            warning=f"This replaces EVERYTHING in the database {database!r} with {path.name}.",
            answer=database,
            stdout=self.stdout,
        )
        try:
            backup_restore(path=path, say=self.stdout.write)
        except OperationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Database {database} restored from {path}."))
