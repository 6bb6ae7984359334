"""How the operations commands reach the server: as the application, as the owner, as the admin.

Three roles share the work (see docs/decisions.md, "Three database roles"):
- the application role (`DB_USER`) that Django, the tray and the worker use: CRUD only;
- the owner role (`DB_OWNER`, default `<DB_NAME>_owner`, no login) that owns the database and
  every table, so migrations, restores and resets run as it (`SET ROLE`);
- the admin (`DB_ADMIN_USER`/`DB_ADMIN_PASS`), used only to create the other two and to act as
  the owner. Without admin credentials (the embedded server, a test run, a single-role set-up)
  the configured user does everything itself.

Nothing here reads settings or the environment at import time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from psycopg import sql

from tonnysite.db import pgserver_module
from tonnysite.env import environment

APP_ROLE_DEFAULT = "tonnytray_app"


class OperationError(Exception):
    """An operation cannot go on; the message says why and what to do (commands exit non-zero with it)."""


@dataclass(frozen=True)
class ServerLogin:
    """Where and as whom to connect: psycopg keyword arguments, plus the role to act as."""

    host: str
    port: str
    user: str
    password: str
    dbname: str
    role: str | None = None  # SET ROLE to this after connecting (the owner), or None

    def connect(self, *, autocommit: bool = True, timeout: int = 10) -> psycopg.Connection:
        """Open a connection (autocommit by default, as VACUUM, REINDEX and CREATE DATABASE need)."""
        try:
            conn = psycopg.connect(
                **self.libpq(), autocommit=autocommit, application_name="tonny operations", connect_timeout=timeout
            )
        except psycopg.OperationalError as error:
            raise OperationError(f"Cannot connect to PostgreSQL as {self.user!r} at {self.where}: {error}") from error
        if self.role:
            conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(self.role)))
        return conn

    def libpq(self) -> dict[str, str]:
        """Connection keywords without the role (psycopg.connect, or the environment of pg_dump)."""
        values = {"host": self.host, "port": self.port, "user": self.user, "password": self.password}
        return {"dbname": self.dbname, **{key: value for key, value in values.items() if value}}

    def tool_environment(self) -> dict[str, str]:
        """The environment for pg_dump/pg_restore: libpq's PG* variables, so no password is on a command line."""
        names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update({names[key]: value for key, value in self.libpq().items()})
        return env

    def url(self) -> str:
        """A DATABASE_URL for a child `manage.py` (the password quoted; a socket directory as ?host=)."""
        password = f":{quote(self.password, safe='')}" if self.password else ""
        user = quote(self.user, safe="")
        if not self.host or self.host.startswith("/"):
            query = f"?host={quote(self.host)}" if self.host else ""
            return f"postgres://{user}{password}@/{quote(self.dbname, safe='')}{query}"
        return f"postgres://{user}{password}@{self.host}:{self.port or 5432}/{quote(self.dbname, safe='')}"

    @property
    def where(self) -> str:
        return f"{self.host or 'the local socket'}{':' + self.port if self.port else ''}, database {self.dbname!r}"


@dataclass(frozen=True)
class RoleNames:
    """The three roles of a database set up by tonny_initdb."""

    app: str
    owner: str
    reporting: str


def app_login() -> ServerLogin:
    """The application's own login: Django's default database."""
    db = settings.DATABASES["default"]
    # A socket directory given as DATABASE_URL=postgres://user@/db?host=/path lands in OPTIONS.
    host = db["HOST"] or db.get("OPTIONS", {}).get("host") or ""
    return ServerLogin(
        host=host, port=str(db["PORT"] or ""), user=db["USER"], password=db["PASSWORD"] or "", dbname=db["NAME"]
    )


def server_reachable_check() -> None:
    """Raise OperationError (naming the server and the reason) unless the application's login connects."""
    with app_login().connect(timeout=5):
        pass


def role_names() -> RoleNames:
    """Role names from the environment: DB_USER, DB_OWNER and DB_REPORT_USER (defaults from DB_NAME)."""
    env = environment()
    login = app_login()
    return RoleNames(
        app=login.user or APP_ROLE_DEFAULT,
        owner=env.str("DB_OWNER", default="") or f"{login.dbname}_owner",
        reporting=env.str("DB_REPORT_USER", default="") or f"{login.dbname}_reporting",
    )


def admin_login(*, dbname: str | None = None, password: str | None = None) -> ServerLogin | None:
    """The admin's login from DB_ADMIN_USER/DB_ADMIN_PASS on the application's server, or None when unset."""
    env = environment()
    user = env.str("DB_ADMIN_USER", default="")
    if not user:
        return None
    secret = password if password is not None else env.str("DB_ADMIN_PASS", default="")
    return replace(app_login(), user=user, password=secret, dbname=dbname or app_login().dbname)


def owner_login() -> ServerLogin:
    """Who may change the schema: the admin acting as the owner role when both exist, else the app's login."""
    admin = admin_login()
    if admin is None:
        return app_login()
    owner = role_names().owner
    with admin.connect() as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner]).fetchone()
    return replace(admin, role=owner if exists else None)


def server_major_version(login: ServerLogin) -> int:
    """The server's major version (15, 18, ...)."""
    with login.connect() as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def postgres_tool(name: str, *, major: int) -> Path:
    """The `pg_dump`/`pg_restore` whose major version is the server's (an older pg_dump refuses a newer
    server, a newer one writes archives an older pg_restore cannot read).

    Looked for in the embedded server's own binaries, Debian's /usr/lib/postgresql/<major>/bin, then PATH.
    """
    candidates = []
    candidates.extend(sorted(Path(pgserver_module().__file__).parent.glob(f"pginstall*/bin/{name}")))
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and _tool_major(candidate) == major:
            return candidate
    raise OperationError(
        f"No {name} for PostgreSQL {major} on this machine: install it (Debian: "
        f"apt-get install postgresql-client-{major}) and run again."
    )


def _tool_major(path: Path) -> int | None:
    result = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    words = result.stdout.split()
    try:
        return int(words[-1].split(".")[0]) if result.returncode == 0 and words else None
    except ValueError:
        return None
