"""Configuration read from the environment (django-environ), in one place.

Called from the settings modules only; nothing here runs at import time.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
SEED_DB_VARIABLES = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS")


def environment() -> environ.Env:
    """Return the environment reader, loading `.env` from the project root when present."""
    env = environ.Env()
    dotenv = BASE_DIR / ".env"
    if dotenv.exists():
        env.read_env(str(dotenv))
    return env


def database_source(env: environ.Env) -> str:
    """Name which database the settings will use: 'DATABASE_URL', 'DB_*' or 'embedded'."""
    if env.str("DATABASE_URL", default=""):
        return "DATABASE_URL"
    if any(env.str(name, default="") for name in SEED_DB_VARIABLES):
        return "DB_*"
    return "embedded"


def database_settings(env: environ.Env, *, allow_embedded: bool = True) -> dict:
    """Build DATABASES['default']: a configured server always wins over the embedded one.

    The pool follows the seed's recommendation (10 connections plus 20 overflow,
    30 s wait, recycled after an hour); each number can be overridden.
    """
    source = database_source(env)
    if source == "DATABASE_URL":
        config = env.db_url("DATABASE_URL")
    elif source == "DB_*":
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": env.str("DB_HOST", default="localhost"),
            "PORT": env.str("DB_PORT", default="5432"),
            "NAME": env.str("DB_NAME", default="tonnytray"),
            "USER": env.str("DB_USER", default="tonnytray_app"),
            "PASSWORD": env.str("DB_PASS", default=""),
        }
    elif allow_embedded:
        from tonnysite.db import embedded_server_start

        config = embedded_server_start(BASE_DIR / "var")
    else:
        raise RuntimeError("No database configured: set DATABASE_URL (or DB_HOST, DB_NAME, DB_USER, DB_PASS).")
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError(f"TonnyTray runs on PostgreSQL only, not {config['ENGINE']}.")
    pool_min = env.int("DB_POOL_SIZE", default=10)
    config["CONN_MAX_AGE"] = 0
    config["OPTIONS"] = {
        **config.get("OPTIONS", {}),
        "pool": {
            "min_size": pool_min,
            "max_size": pool_min + env.int("DB_POOL_MAX_OVERFLOW", default=20),
            "timeout": env.float("DB_POOL_TIMEOUT", default=30.0),
            "max_lifetime": env.float("DB_POOL_RECYCLE", default=3600.0),
        },
    }
    config.setdefault("TEST", {})
    return config
