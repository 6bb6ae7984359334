"""Make a device token from the command line and print it once (for scripts and the README's tray script)."""

import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from profiles.models import UserProfile
from trayapi.services import device_token_create


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
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(f"Token of {device.name} (shown once; store it in the device):")
        self.stdout.write(token)

    def _member(self, text: str) -> UserProfile:
        text = text.strip()
        if not text or "\x00" in text:
            raise CommandError("--member is a family member's name or id.")
        try:
            condition = Q(pk=uuid.UUID(text))
        except ValueError:
            condition = Q(name__iexact=text)
        profile = UserProfile.objects.filter(condition).first()
        if profile is None:
            raise CommandError(f"No family member is called or has the id “{text[:60]}”.")
        return profile
