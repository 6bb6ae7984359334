"""What management commands share: the guard that keeps sample and synthetic data off production."""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


def refuse_on_production(*, command: str, force: bool) -> None:
    """Raise CommandError under production settings (a family server) unless --force was given.

    DEBUG says nothing about this: the home configuration (`make run`) runs with DEBUG off too.
    """
    if settings.TONNY_DEPLOYMENT != "server" or force:
        return
    where = connection.settings_dict
    raise CommandError(
        f"{command} refuses to run under production settings: database {where['NAME']!r} on "
        f"{where['HOST'] or 'the local socket'} is a family server. "
        "Run it with --force if you really want sample or synthetic data there."
    )
