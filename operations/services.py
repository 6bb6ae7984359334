"""Operations that change the database server: roles, backups, restores, resets and maintenance.

Each is a function the management commands, the scheduled jobs and the tests call. Each
records what it did as one system event (`ops.*`, component "operations"), which the
System health page reads back.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from psycopg import sql

from operations.database import (
    OperationError,
    RoleNames,
    ServerLogin,
    app_login,
    owner_login,
    postgres_tool,
    role_names,
    server_major_version,
)
from telemetry.models import EventSeverity
from telemetry.services import log_system_event
from tonnysite.env import BASE_DIR

Say = Callable[[str], None]
CRUD = "SELECT, INSERT, UPDATE, DELETE"


def _quiet(message: str) -> None:
    """Say nothing (the default `say` of the services)."""


def ops_event_log(*, event_type: str, message: str, metadata: dict, severity: str = EventSeverity.INFO) -> None:
    """Record one operation as a system event `ops.<what>` (the health page's source for last runs)."""
    log_system_event(
        event_type=event_type, severity=severity, component="operations", message=message, metadata=metadata
    )


# --- roles and the database (tonny_initdb) -------------------------------------------------------


@dataclass
class InitReport:
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def database_initialise(
    *, admin: ServerLogin, app_password: str | None, reporting_password: str | None, say: Say = _quiet
) -> InitReport:
    """Create (when missing) the owner, application and reporting roles and the database, grant each its
    rights, then migrate as the owner. Re-running changes only passwords that are given.

    `admin` must be a superuser or a role with CREATEROLE and CREATEDB on the application's server.
    The application role gets CRUD on every table and sequence, now and later (default privileges
    of the owner); the reporting role SELECT on every table and view, now and later.
    """
    roles, target = role_names(), app_login()
    report = InitReport()
    if len({roles.app, roles.owner, roles.reporting, admin.user}) < 4:
        raise OperationError(
            f"The admin ({admin.user}), owner ({roles.owner}), application ({roles.app}) and reporting "
            f"({roles.reporting}) roles must be four different roles: set DB_USER, DB_OWNER or DB_REPORT_USER."
        )
    with replace(admin, dbname="postgres").connect() as conn:
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
        _role_ensure(conn, roles.owner, login=False, password=None, report=report)
        _role_ensure(conn, roles.app, login=True, password=app_password, report=report)
        _role_ensure(conn, roles.reporting, login=bool(reporting_password), password=reporting_password, report=report)
        if not superuser:  # a CREATEROLE admin acts as the owner through membership
            conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(roles.owner)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target.dbname]).fetchone()
        if exists:
            report.kept.append(f"database {target.dbname}")
        else:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(target.dbname), sql.Identifier(roles.owner)
                )
            )
            report.created.append(f"database {target.dbname}")
        say(
            f"Roles and database: created {', '.join(report.created) or 'nothing'}; "
            f"kept {', '.join(report.kept) or 'nothing'}."
        )
    with replace(admin, dbname=target.dbname).connect() as conn:
        _ownership_move(conn, roles, dbname=target.dbname, say=say)
        _privileges_grant(conn, roles, dbname=target.dbname)
    owner = replace(admin, dbname=target.dbname, role=roles.owner)
    say(f"Migrating {target.dbname} as {roles.owner} ...")
    manage_py_run(["migrate", "--noinput"], login=owner)
    with replace(admin, dbname=target.dbname).connect() as conn:
        _privileges_grant(conn, roles, dbname=target.dbname)  # tables an older set-up created outside the owner
    ops_event_log(
        event_type="ops.initdb",
        message=f"Database {target.dbname} initialised: application role {roles.app}, owner {roles.owner}, "
        f"reporting role {roles.reporting}.",
        metadata={"created": report.created, "kept": report.kept},
    )
    return report


def _role_ensure(conn, name: str, *, login: bool, password: str | None, report: InitReport) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
    options = sql.SQL("LOGIN" if login else "NOLOGIN") + sql.SQL(
        " NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    )
    if not exists:
        conn.execute(sql.SQL("CREATE ROLE {} ").format(sql.Identifier(name)) + options)
        report.created.append(f"role {name}")
    else:
        report.kept.append(f"role {name}")
        if login:
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(name)))
    if password:
        conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))


def _ownership_move(conn, roles: RoleNames, *, dbname: str, say: Say) -> None:
    """Give the owner role the database, the schema and whatever the application role owned (the seed's
    manual set-up made the application role the owner of everything)."""
    conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(dbname), sql.Identifier(roles.owner)))
    conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(roles.owner)))
    owned = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = %s", [roles.app]
    ).fetchone()[0]
    if owned:
        conn.execute(
            sql.SQL("REASSIGN OWNED BY {} TO {}").format(sql.Identifier(roles.app), sql.Identifier(roles.owner))
        )
        say(f"{owned} tables, views and sequences owned by {roles.app} now belong to {roles.owner}.")


def _privileges_grant(conn, roles: RoleNames, *, dbname: str) -> None:
    app, owner, reporting = (sql.Identifier(name) for name in (roles.app, roles.owner, roles.reporting))
    major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    # PostgreSQL 17 can grant VACUUM, ANALYZE and REINDEX without ownership: the worker's maintenance.
    table_rights = sql.SQL(CRUD + (", MAINTAIN" if major >= 17 else ""))
    statements = [
        sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(dbname)),
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}, {}").format(sql.Identifier(dbname), app, reporting),
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}, {}").format(app, reporting),
        sql.SQL("GRANT {} ON ALL TABLES IN SCHEMA public TO {}").format(table_rights, app),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(app),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(reporting),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT {} ON TABLES TO {}").format(
            owner, table_rights, app
        ),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {}"
        ).format(owner, app),
        sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA public GRANT SELECT ON TABLES TO {}").format(
            owner, reporting
        ),
    ]
    for statement in statements:
        conn.execute(statement)


def manage_py_run(arguments: list[str], *, login: ServerLogin, say: Say = _quiet) -> None:
    """Run `manage.py <arguments>` in a child process against `login`'s database (acting as its role).

    The child gets DATABASE_URL (and PGOPTIONS for the role), so Django in it connects exactly as
    `login` does; its output is passed to `say`. Raises OperationError when it fails.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASS")
    }
    env["DATABASE_URL"] = login.url()
    if login.role:
        env["PGOPTIONS"] = f"-c role={login.role}"
    result = subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, str(BASE_DIR / "manage.py"), *arguments],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    for line in (result.stdout + result.stderr).splitlines():
        if line.strip():
            say(line)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise OperationError(f"manage.py {' '.join(arguments)} failed: {tail[0]}")


# --- backups, restores and resets ---------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    seconds: float


def backup_default_path(*, now: datetime | None = None) -> Path:
    """var/backups/tonnytray-YYYYMMDD-HHMMSS.dump (the family's local time) under settings.TONNY_BACKUP_DIR."""
    moment = timezone.localtime(now or timezone.now())
    return Path(settings.TONNY_BACKUP_DIR) / f"{app_login().dbname}-{moment:%Y%m%d-%H%M%S}.dump"


def backup_create(*, path: Path | None = None) -> BackupResult:
    """Dump the whole database with pg_dump (custom format) of the server's major version to `path`.

    The file is written beside its final name and renamed when complete, so a failed backup
    never leaves a file that looks whole. Records an `ops.backup` event with the path and size.
    """
    login = app_login()
    path = (path or backup_default_path()).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    pg_dump = postgres_tool("pg_dump", major=server_major_version(login))
    partial = path.with_name(path.name + ".partial")
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603  (the server's own pg_dump, arguments we build)
        [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
        env=login.tool_environment(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise OperationError(f"pg_dump failed: {result.stderr.strip()}")
    partial.replace(path)
    backup = BackupResult(path=path, size_bytes=path.stat().st_size, seconds=time.monotonic() - started)
    ops_event_log(
        event_type="ops.backup",
        message=f"Backup written to {path.name} ({backup.size_bytes:,} bytes).",
        metadata={"path": str(path), "size_bytes": backup.size_bytes, "seconds": round(backup.seconds, 2)},
    )
    return backup


def backups_prune(*, keep: int) -> list[Path]:
    """Delete all but the newest `keep` default-named backups in settings.TONNY_BACKUP_DIR; return the deleted."""
    folder = Path(settings.TONNY_BACKUP_DIR)
    if keep < 1 or not folder.is_dir():
        return []
    backups = sorted(folder.glob(f"{app_login().dbname}-*.dump"), key=lambda p: p.name, reverse=True)
    for old in backups[keep:]:
        old.unlink()
    return backups[keep:]


def schema_recreate(*, login: ServerLogin) -> None:
    """Drop the public schema with everything in it and create it empty again, owned by `login`'s role."""
    roles = role_names()
    with login.connect() as conn, conn.transaction():
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
        reader_roles = conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [[roles.app, roles.reporting]]
        ).fetchall()
        for (name,) in reader_roles:
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.Identifier(name)))
        if not reader_roles:  # a single-role set-up: as PostgreSQL creates the schema
            conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")


def database_reset(*, with_samples: bool, say: Say = _quiet) -> None:
    """Drop and recreate the schema, migrate it empty, and load the sample family when asked."""
    login = owner_login()
    schema_recreate(login=login)
    say("Schema dropped and created again; migrating ...")
    manage_py_run(["migrate", "--noinput"], login=login)
    if with_samples:
        say("Loading the sample family ...")
        manage_py_run(["load_samples"], login=app_login(), say=say)
    ops_event_log(
        event_type="ops.reset",
        message="Database reset" + (" with the sample family." if with_samples else " to empty."),
        metadata={"with_samples": with_samples},
    )


def backup_restore(*, path: Path, say: Say = _quiet) -> float:
    """Replace the whole database with the backup at `path` (all or nothing); return the seconds it took.

    The schema is dropped and recreated, then pg_restore of the server's major version loads the
    archive in one transaction as the owner: a damaged archive leaves an empty schema, never a mix.
    """
    path = Path(path)
    if not path.is_file():
        raise OperationError(f"No backup file at {path}.")
    login = owner_login()
    pg_restore = postgres_tool("pg_restore", major=server_major_version(login))
    listed = subprocess.run([str(pg_restore), "--list", str(path)], capture_output=True, text=True, check=False)  # noqa: S603
    if listed.returncode != 0:
        raise OperationError(f"{path} is not a backup pg_restore can read: {listed.stderr.strip()}")
    started = time.monotonic()
    schema_recreate(login=login)
    arguments = [str(pg_restore), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if login.role:
        arguments.append(f"--role={login.role}")
    result = subprocess.run(  # noqa: S603
        [*arguments, f"--dbname={login.dbname}", str(path)], env=login.tool_environment(), capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise OperationError(f"pg_restore failed, the schema is left empty: {result.stderr.strip()}")
    seconds = time.monotonic() - started
    say(f"Restored {path.name} in {seconds:.1f} s.")
    ops_event_log(
        event_type="ops.restore",
        message=f"Database restored from {path.name}.",
        metadata={"path": str(path.resolve()), "seconds": round(seconds, 2)},
    )
    return seconds


# --- maintenance (tonny_maintain) -----------------------------------------------------------------


class Routine:
    """The seed's maintenance routines: statement per table, and when the schedule runs it."""

    ANALYZE = "analyze"  # weekly
    VACUUM = "vacuum"  # daily, with ANALYZE
    REINDEX = "reindex"  # monthly, CONCURRENTLY so readers and writers never wait
    ALL = (ANALYZE, VACUUM, REINDEX)
    STATEMENTS = {ANALYZE: "ANALYZE {}", VACUUM: "VACUUM (ANALYZE) {}", REINDEX: "REINDEX TABLE CONCURRENTLY {}"}


@dataclass
class MaintenanceResult:
    routine: str
    tables: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def maintenance_run(*, routine: str, say: Say = _quiet) -> MaintenanceResult:
    """Run one routine on every table of the schema the login may maintain; name the ones it may not.

    Runs as the owner when admin credentials are configured; the application role maintains what
    it owns or (PostgreSQL 17+) holds MAINTAIN on, and the rest is reported as skipped.
    """
    if routine not in Routine.ALL:
        raise OperationError(f"Unknown routine {routine!r}: one of {', '.join(Routine.ALL)}.")
    login = owner_login()
    result = MaintenanceResult(routine=routine)
    started = time.monotonic()
    with login.connect() as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
        may = "pg_has_role(current_user, c.relowner, 'USAGE')" + (
            " OR has_table_privilege(c.oid, 'MAINTAIN')" if major >= 17 else ""
        )
        rows = conn.execute(
            f"""SELECT c.relname, {may} FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm') ORDER BY c.relname"""  # noqa: S608
        ).fetchall()
        for table, allowed in rows:
            if not allowed:
                result.skipped.append(table)
                continue
            conn.execute(sql.SQL(Routine.STATEMENTS[routine]).format(sql.Identifier(table)))
            result.tables.append(table)
            say(f"{routine}: {table}")
    result.seconds = time.monotonic() - started
    message = f"Maintenance {routine}: {len(result.tables)} tables in {result.seconds:.1f} s"
    if result.skipped:
        message += f"; {len(result.skipped)} skipped (not the owner: set DB_ADMIN_USER to maintain them)"
    ops_event_log(
        event_type=f"ops.maintain.{routine}",
        message=message + ".",
        metadata={"tables": len(result.tables), "skipped": result.skipped, "seconds": round(result.seconds, 2)},
        severity=EventSeverity.WARNING if result.skipped else EventSeverity.INFO,
    )
    return result
