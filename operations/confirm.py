"""Asking before an operation destroys data: the one prompt every destructive command uses."""

from __future__ import annotations

import sys

from django.core.management.base import CommandError


def destruction_confirm(*, yes: bool, warning: str, answer: str, stdout, stdin=None) -> None:
    """Go on when `yes` was given or the person types `answer`; raise CommandError otherwise.

    Without a terminal and without --yes the command refuses (a script must say --yes).
    """
    if yes:
        return
    stdin = stdin or sys.stdin
    if not stdin.isatty():
        raise CommandError(f"{warning} Refusing without a terminal to ask on: run it again with --yes.")
    stdout.write(f"\n  !!! {warning}\n  Type {answer!r} to go on: ")
    stdout.flush()
    if stdin.readline().strip() != answer:
        raise CommandError("Not confirmed; nothing was changed.")
