"""What management commands share: the guard that keeps sample and synthetic data off production."""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


def refuse_on_production(*, command: str, force: bool) -> None:
    """Raise CommandError when DEBUG is off (a database that looks like production) and --force was not given."""
    if settings.DEBUG or force:
        return
    where = connection.settings_dict
    raise CommandError(
        f"{command} refuses to run with DEBUG off: database {where['NAME']!r} on "
        f"{where['HOST'] or 'the local socket'} looks like production. "
        "Run it with --force if you really want sample or synthetic data there."
    )
