"""Make sure a family admin can sign in, adding no member the family does not have, and say as whom."""

import os

from django.core.management.base import BaseCommand

from profiles.services import family_admin_ensure
from tonnysite.clock import zone_name


class Command(BaseCommand):
    help = (
        "Make sure a family admin can sign in: name the admin member who signs in already, else give a "
        "login to an admin member without one (or, with no admin member at all, to a new one). A new "
        "login's password is random and printed once; TONNY_ADMIN_USER and TONNY_ADMIN_PASSWORD override "
        "the defaults."
    )

    def handle(self, *args, **options):
        result = family_admin_ensure(
            username=os.environ.get("TONNY_ADMIN_USER") or "parent",
            password=os.environ.get("TONNY_ADMIN_PASSWORD") or None,
        )
        if result.password is None:
            self.stdout.write(f"Family admin login exists: sign in as '{result.username}'.")
        else:
            self.stdout.write(self.style.SUCCESS("Created the first family-admin login (shown only this once):"))
            self.stdout.write(f"  username: {result.username}")
            self.stdout.write(f"  password: {result.password}")
        self.stdout.write(f"Family time zone: {zone_name()} (set TIME_ZONE in .env to change it).")
