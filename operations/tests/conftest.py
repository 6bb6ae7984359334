"""Scratch databases on the server of this test run, for commands that drop, restore or create whole databases."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from psycopg import sql

from operations.database import ServerLogin, app_login


@pytest.fixture
def scratch_login(db) -> ServerLogin:
    """A login to a new, empty database `tonny_ops_<random>` (dropped afterwards) as this run's user."""
    name = f"tonny_ops_{uuid.uuid4().hex[:10]}"
    server = replace(app_login(), dbname="postgres")
    with server.connect() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield replace(server, dbname=name)
    with server.connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
