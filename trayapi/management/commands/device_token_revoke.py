"""Revoke a device's token: every later call with it gets 401."""

from django.core.management.base import BaseCommand, CommandError

from trayapi.models import DeviceToken
from trayapi.services import device_token_revoke


class Command(BaseCommand):
    help = "Revoke the token of the device NAME."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        device = DeviceToken.objects.filter(name__iexact=name.strip()).first() if "\x00" not in name else None
        if device is None:
            raise CommandError(f"No device is called “{name[:60]}”.")
        device_token_revoke(device=device)
        self.stdout.write(f"Revoked the token of {device.name}.")
