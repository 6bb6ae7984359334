"""Add a family member, optionally with a login to the family admin."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from profiles.models import PermissionLevel
from profiles.services import family_member_create


class Command(BaseCommand):
    help = (
        "Add a family member (a profile) with a role; with --username also a login, whose password is "
        "--password or a random one printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The member's display name, unique in the family")
        parser.add_argument("--role", choices=PermissionLevel.values, default=PermissionLevel.USER)
        parser.add_argument("--username", help="Give the member a login with this username")
        parser.add_argument("--password", help="The login's password (default: a random one, printed once)")

    def handle(self, *args, name, role, username, password, **options):
        import secrets

        chosen = password or (secrets.token_urlsafe(12) if username else None)
        try:
            profile = family_member_create(name=name, permission_level=role, username=username, password=chosen)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=2) from error
        self.stdout.write(self.style.SUCCESS(f"Added {profile.name} ({profile.get_permission_level_display()})."))
        if username:
            self.stdout.write(f"  username: {username}")
            if not password:
                self.stdout.write(f"  password: {chosen}  (shown only this once)")
