"""Configuration read from the environment (django-environ), in one place.

Called from the settings modules only; nothing here runs at import time, and nothing here
starts a server or creates a file: the embedded PostgreSQL is only described (see tonnysite.db).
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import available_timezones

import environ

from tonnysite.db import embedded_database_settings

BASE_DIR = Path(__file__).resolve().parent.parent
SEED_DB_VARIABLES = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS")


def environment() -> environ.Env:
    """Return the environment reader, loading `.env` from the project root when present."""
    env = environ.Env()
    dotenv = BASE_DIR / ".env"
    if dotenv.exists():
        env.read_env(str(dotenv))
    return env


def host_time_zone(*, localtime: Path = Path("/etc/localtime"), timezone_file: Path = Path("/etc/timezone")) -> str:
    """The zone this machine lives in (IANA name), so a family's `make run` counts its own days.

    Read in order: the `TZ` variable (`Europe/Berlin` or `:Europe/Berlin`), the zone file
    `/etc/localtime` points to (`/usr/share/zoneinfo/Europe/Berlin`), `/etc/timezone`
    (Debian). A name Python's zoneinfo does not know is passed over; "UTC" when nothing is left.
    """
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    if localtime.is_symlink():
        parts = Path(os.path.realpath(localtime)).parts
        candidates += ["/".join(parts[index:]) for index in range(1, len(parts))]  # longest name first
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(encoding="utf-8", errors="replace").strip())
    known = available_timezones()
    for name in candidates:
        if name in known:
            return "UTC" if name in {"Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"} else name
    return "UTC"


def database_source(env: environ.Env) -> str:
    """Name which database the settings will use: 'DATABASE_URL', 'DB_*' or 'embedded'."""
    if env.str("DATABASE_URL", default=""):
        return "DATABASE_URL"
    if any(env.str(name, default="") for name in SEED_DB_VARIABLES):
        return "DB_*"
    return "embedded"


def embedded_var_dir(env: environ.Env) -> Path | None:
    """Return the directory of the embedded server's data when no database is configured, else None."""
    return BASE_DIR / "var" if database_source(env) == "embedded" else None


def database_settings(env: environ.Env) -> dict:
    """Build DATABASES['default']: a configured server always wins over the embedded one.

    The embedded server is described, not started: entry points start it with
    `tonnysite.db.embedded_server_ensure()`.

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
    else:
        config = embedded_database_settings(BASE_DIR / "var")
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
