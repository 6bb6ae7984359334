"""Make a device token from the command line and print it once (for scripts and the README's tray script)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from profiles.models import UserProfile
from profiles.selectors import member_by_name_or_id
from tonnysite.safe_input import text_problem
from trayapi.services import device_token_create

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Create a device token named NAME (optionally limited to members) and print it; it is never shown again."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The device, e.g. “kitchen speaker”.")
        parser.add_argument("--member", action="append", default=[], help="A member's name or id (repeatable).")

    def handle(self, *args, name, member, **options):
        members = [self._member(text) for text in member]
        try:
            device, token = device_token_create(name=name, members=members, created_by="manage.py device_token_create")
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=BAD_INPUT) from error
        self.stderr.write(f"Token of {device.name} (shown once; store it in the device):")
        self.stdout.write(token)

    def _member(self, text: str) -> UserProfile:
        if not text.strip() or text_problem(text):
            raise CommandError("--member is a family member's name or id.", returncode=BAD_INPUT)
        profile = member_by_name_or_id(text)
        if profile is None:
            raise CommandError(
                f"--member: no family member is called or has the id “{text.strip()[:60]}”.", returncode=BAD_INPUT
            )
        return profile
