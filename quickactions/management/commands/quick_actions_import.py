"""Create and change quick actions from a CSV or JSON file: all of it, or nothing when any row is bad."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from quickactions import services
from quickactions.files import decode, guess_format, read_file

BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Import quick actions from FILE (CSV or JSON, as quick_actions_export writes them). Prints what would be "
        "created and changed; --dry-run stops there. Exits 2 and changes nothing when any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=("csv", "json"), help="default: from the file's name or content")
        parser.add_argument("--dry-run", action="store_true", help="show the preview only, change nothing")

    def handle(self, *args, file, format=None, dry_run=False, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.", returncode=BAD_INPUT) from None
        try:
            text = decode(data)
            rows = read_file(text, file_format=format or guess_format(file, text))
        except ValidationError as error:
            raise CommandError(self._problems(error), returncode=BAD_INPUT) from None
        plan = services.quick_actions_import_plan(rows=rows)
        self._preview(plan)
        if not plan.is_valid:
            raise CommandError(self._problems(ValidationError([str(p) for p in plan.problems])), returncode=BAD_INPUT)
        if dry_run:
            self.stdout.write("Dry run: nothing changed.")
            return
        try:
            plan = services.quick_actions_import(rows=rows)
        except ValidationError as error:
            raise CommandError(self._problems(error), returncode=BAD_INPUT) from None
        self.stdout.write(
            self.style.SUCCESS(f"Imported: {len(plan.to_create)} created, {len(plan.to_change)} changed.")
        )

    def _preview(self, plan) -> None:
        for row in plan.to_create:
            self.stdout.write(f"create  {row['id']}  {row['display_name']}")
        for change in plan.to_change:
            self.stdout.write(f"change  {change.action_id}  {', '.join(change.fields)}")
        self.stdout.write(
            f"{len(plan.to_create)} to create, {len(plan.to_change)} to change, {len(plan.unchanged)} unchanged, "
            f"{len(plan.problems)} bad row(s)."
        )

    @staticmethod
    def _problems(error: ValidationError) -> str:
        return "Nothing was imported:\n" + "\n".join(f"  {message}" for message in error.messages)
