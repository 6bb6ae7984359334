"""What the operations commands share: an operation's failure as the command's error, and the
question before a command replaces everything in the application's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from operations.confirm import destruction_confirm
from operations.database import OperationError, app_login


@contextmanager
def operation_errors(*, writing: str | None = None) -> Iterator[None]:
    """End the command with the message of an OperationError raised inside the block.

    `writing`: what the block writes to a file (e.g. "the backup"); an OSError then ends the
    command as "Cannot write <writing>: <error>". Without it, an OSError goes on unchanged.
    """
    try:
        yield
    except OperationError as error:
        raise CommandError(str(error)) from error
    except OSError as error:
        if writing is None:
            raise
        raise CommandError(f"Cannot write {writing}: {error}") from error


def database_replace_confirm(*, yes: bool, warning: Callable[[str], str], stdout) -> str:
    """Ask before everything in the application's database is replaced: the person types its name.

    `warning(name)` says what will happen to the database `name`. Return the name; raise
    CommandError when the person (or a script without --yes) does not confirm.
    """
    database = app_login().dbname
    destruction_confirm(yes=yes, warning=warning(database), answer=database, stdout=stdout)
    return database
