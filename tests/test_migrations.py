"""Migrations apply on an empty database, unapply back to zero, and match the models."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
APPS_TO_ZERO = ["activity", "telemetry", "profiles"]
ENUM_TYPES = {"permission_level", "event_severity", "command_status", "response_mode"}


@pytest.fixture
def scratch_database():
    """An empty database on the same server, dropped afterwards."""
    db = settings.DATABASES["default"]
    name = f"scratch_{uuid.uuid4().hex[:10]}"
    server = {
        "host": db["HOST"] or None,
        "port": db["PORT"] or None,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_NAME")},
        "DB_HOST": db["HOST"] or "",
        "DB_PORT": str(db["PORT"] or "5432"),
        "DB_NAME": name,
        "DB_USER": db["USER"],
        "DB_PASS": db["PASSWORD"] or "",
        "DB_POOL_SIZE": "1",
        "DJANGO_SETTINGS_MODULE": "tonnysite.settings.local",
    }
    yield name, env, server
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def manage(env, *args):
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def public_relations(name, server) -> set[str]:
    with psycopg.connect(dbname=name, **server) as conn:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')"
            " UNION SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public'"
        ).fetchall()
    return {row[0] for row in rows}


def public_enum_types(name, server) -> set[str]:
    """The contract's enum types in the schema (Procrastinate's job queue brings its own, procrastinate_*)."""
    with psycopg.connect(dbname=name, **server) as conn:
        rows = conn.execute(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = 'public' AND t.typtype = 'e' AND t.typname NOT LIKE 'procrastinate%'"
        ).fetchall()
    return {row[0] for row in rows}


def test_migrations_apply_on_empty_database_and_unapply_to_zero(scratch_database):
    name, env, server = scratch_database
    manage(env, "migrate", "--noinput")
    created = public_relations(name, server)
    contract = {
        "user_profiles", "activity_logs", "system_events", "settings", "usage_statistics", "command_history",
        "quick_actions", "sessions", "notification_queue", "recent_activity", "user_statistics_summary",
        "schema_migrations", "log_system_event", "set_updated_at",
    }  # fmt: skip
    assert contract <= created
    assert public_enum_types(name, server) == ENUM_TYPES
    for app in APPS_TO_ZERO:
        manage(env, "migrate", app, "zero", "--noinput")
    left = public_relations(name, server)
    assert not (contract & left), contract & left
    assert not public_enum_types(name, server)
    manage(env, "migrate", "--noinput")
    assert contract <= public_relations(name, server)
    assert public_enum_types(name, server) == ENUM_TYPES


def test_models_and_migrations_agree():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tonnysite.settings.test"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
