"""Write every quick action to a CSV or JSON file (or standard output), ready for quick_actions_import."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quickactions.files import FORMATS, export_text
from quickactions.models import QuickAction


class Command(BaseCommand):
    help = "Export every quick action as CSV (the default) or JSON, to FILE or standard output."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write (standard output when left out)")
        parser.add_argument("--format", choices=FORMATS, help="csv or json (default: from FILE's name, else csv)")

    def handle(self, *args, file=None, format=None, **options):
        file_format = format or ("json" if file and file.lower().endswith(".json") else "csv")
        text = export_text(QuickAction.objects.order_by("pk"), file_format=file_format)
        if file is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(file).write_text(text, encoding="utf-8", newline="")
        except OSError as error:
            raise CommandError(f"Cannot write {file}: {error.strerror}.") from None
        self.stderr.write(f"Exported {QuickAction.objects.count()} quick actions to {file} ({file_format}).")
