"""How a benchmark script starts Django: run as `.venv/bin/python bench/<name>.py`.

The script puts the project's root on sys.path (that is how it finds this module), calls
`django_start()`, and only then imports what needs the settings or the database.
"""

import argparse
import os

import django

from tonnysite.db import embedded_server_ensure


def django_start(*, debug_off: bool = False) -> None:
    """Set Django up on the local settings and start the embedded PostgreSQL when no database is configured.

    `debug_off`: DEBUG is off unless the environment says otherwise, so pages are timed without
    the debug machinery.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tonnysite.settings.local")
    if debug_off:
        os.environ.setdefault("DEBUG", "false")
    django.setup()
    embedded_server_ensure()


def arguments_parser(description: str, *, rows: int | None = None) -> argparse.ArgumentParser:
    """The script's options, with `description` (its docstring) as the --help text, line breaks kept.

    `rows`: the default of --rows, the activity rows a benchmark on a filled database wants
    (`bench.scratch.activity_rows_ensure`); None: no such option.
    """
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    if rows is not None:
        parser.add_argument("--rows", type=int, default=rows, help="Activity rows to have before measuring.")
        parser.add_argument(
            "--shape",
            choices=["family", "many"],
            default="family",
            help="family: 12 members over a year; many: households of five over 90 days (4,445 members at 10 M).",
        )
    return parser
