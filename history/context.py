"""Who is writing: what each database connection tells the change-history trigger.

The trigger reads two settings of the database session, `tonny.actor` (a login, a
device, a command) and `tonny.via` (admin, command, api, app). Django sets them on
every connection it opens (`actor_apply`, from the connection_created signal) and
for the length of a request or an API call (`acting_as`). A plain-SQL writer may
set them the same way, e.g. `SELECT set_config('tonny.actor', 'kitchen speaker', false)`;
when it does not, the trigger records its database user and application_name.
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection as default_connection

from history.models import ChangeChannel

ACTOR_MAX_LENGTH = 150
_acting = contextvars.ContextVar("change_history_actor", default=None)


def process_actor() -> tuple[str, str]:
    """(actor, via) of this process when no request or API call says otherwise.

    A management command is `manage.py <command>` via command; anything else (the
    web server between requests, a shell, the test runner) is named after its program.
    """
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("manage.py", "django-admin") and len(sys.argv) > 1:
        return f"{program} {sys.argv[1]}"[:ACTOR_MAX_LENGTH], ChangeChannel.COMMAND
    return program[:ACTOR_MAX_LENGTH], ChangeChannel.APP


def actor_apply(*, connection) -> None:
    """Tell the database session of `connection` who writes now (until told otherwise)."""
    actor, via = _acting.get() or process_actor()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('tonny.actor', %s, false), set_config('tonny.via', %s, false)", [actor, str(via)]
        )


@contextmanager
def acting_as(*, actor: str, via: ChangeChannel) -> Iterator[None]:
    """Record changes made inside the block as made by `actor` (a login or a device) via `via`."""
    token = _acting.set((actor[:ACTOR_MAX_LENGTH], via))
    _apply_if_connected()
    try:
        yield
    finally:
        _acting.reset(token)
        _apply_if_connected()


def _apply_if_connected() -> None:
    # A connection opened later learns the actor from connection_created. One whose
    # transaction is being rolled back gets its session settings back from the rollback.
    if default_connection.connection is not None and not default_connection.needs_rollback:
        actor_apply(connection=default_connection)
