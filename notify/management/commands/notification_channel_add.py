"""Add a notification channel (an Apprise address) for a member who signs in, from a script."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from notify.services import channel_add
from profiles.selectors import profile_of_user
from tonnysite.safe_input import text_problem

BAD_INPUT = 2


class Command(BaseCommand):
    help = (
        "Add a channel for LOGIN's phone: an Apprise address such as ntfy://my-topic or tgram://bot-token/chat-id. "
        "The address is stored encrypted and never printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("login", help="The sign-in name of the member, e.g. dad.")
        parser.add_argument("url", help="The Apprise address.")
        parser.add_argument("--name", default="", help="What to call it (default: the service's name).")

    def handle(self, *args, login, url, name, **options):
        user = None
        if login.strip() and not text_problem(login):
            user = get_user_model().objects.filter(username=login.strip()).first()
        profile = profile_of_user(user) if user is not None else None
        if profile is None:
            raise CommandError(f"No family member signs in as “{login.strip()[:60]}”.", returncode=BAD_INPUT)
        try:
            channel = channel_add(profile=profile, address=url, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages), returncode=BAD_INPUT) from error
        self.stdout.write(f"Added “{channel.name}” ({channel.service}) for {profile.name}.")
