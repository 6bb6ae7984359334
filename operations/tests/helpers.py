"""Helpers of the operations tests (a test module never imports another)."""

from __future__ import annotations

import os

from operations.database import ServerLogin
from tests.helpers import python_run


def manage(arguments: list[str], *, login: ServerLogin, **env: str):
    """Run manage.py with `arguments` against `login`'s database (DATABASE_URL), with `env` added."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "DATABASE_URL", "PG"))}
    clean.update(DATABASE_URL=login.url(), DJANGO_SETTINGS_MODULE="tonnysite.settings.test", **env)
    return python_run(["manage.py", *arguments], clean)


def table_fingerprints(login: ServerLogin) -> dict[str, tuple[int, str]]:
    """Row count and an md5 of every row (in a fixed order) of every table of the public schema."""
    with login.connect() as conn:
        tables = [row[0] for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()]  # fmt: skip
        return {
            table: conn.execute(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, chr(10) ORDER BY t::text)), '') FROM \"{table}\" t"  # noqa: S608
            ).fetchone()
            for table in tables
        }
