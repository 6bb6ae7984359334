"""Retention: delete what is older than privacy.log_retention_days, archiving it first if asked."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.commands import operation_errors
from operations.retention import log_purge


class Command(BaseCommand):
    help = (
        "Delete activity, command history, sessions and settled system events older than the setting "
        "privacy.log_retention_days (from local midnight); usage statistics stay as they were."
    )

    def add_arguments(self, parser):
        parser.add_argument("--archive", metavar="DIR", help="First write the rows to DIR/<table>-<YYYY-MM>.csv.gz.")
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be deleted.")

    def handle(self, *args, **options):
        archive = Path(options["archive"]) if options["archive"] else None
        if archive is not None and archive.exists() and not archive.is_dir():
            raise CommandError(f"--archive {archive} is a file, not a folder.")
        with operation_errors(writing="the archive"):
            result = log_purge(archive=archive, dry_run=options["dry_run"], say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(result.message))
        for path in result.files:
            self.stdout.write(f"archive: {path}")
