"""Back the database up with the server's own pg_dump (init.sh --backup)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.commands import operation_errors
from operations.services import backup_create


class Command(BaseCommand):
    help = "Write a pg_dump custom-format backup to FILE (default: var/backups/<database>-<local time>.dump)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Where to write the backup (a folder is not a file).")

    def handle(self, *args, **options):
        path = Path(options["file"]) if options["file"] else None
        if path is not None and path.is_dir():
            raise CommandError(f"{path} is a folder: give a file name, e.g. {path / 'tonnytray.dump'}.")
        with operation_errors(writing="the backup"):
            backup = backup_create(path=path)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {backup.path} ({backup.size_bytes:,} bytes, {backup.seconds:.1f} s)."
            )
        )
