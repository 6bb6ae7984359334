"""tonny_initdb on a real server: three roles that can do exactly what they should; a re-run changes nothing."""

import uuid
from dataclasses import dataclass, replace

import psycopg
import pytest
from psycopg import errors, sql

from operations.database import ServerLogin, app_login
from operations.tests.helpers import manage

pytestmark = pytest.mark.django_db


@dataclass
class Setup:
    admin: ServerLogin
    app: ServerLogin
    owner: str
    reporting: ServerLogin

    def initdb_env(self) -> dict[str, str]:
        return {
            "DB_ADMIN_USER": self.admin.user,
            "DB_ADMIN_PASS": self.admin.password,
            "DB_OWNER": self.owner,
            "DB_REPORT_USER": self.reporting.user,
            "DB_REPORT_PASS": self.reporting.password,
        }

    def initdb(self):
        return manage(["tonny_initdb", "--no-prompt"], login=self.app, **self.initdb_env())


@pytest.fixture
def setup(db):
    """Names for a database and its three roles that exist nowhere yet; everything is dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    admin = replace(app_login(), dbname="postgres")
    result = Setup(
        admin=admin,
        app=replace(admin, user=f"tonny_app_{suffix}", password="app-secret-1", dbname=f"tonny_init_{suffix}"),
        owner=f"tonny_owner_{suffix}",
        reporting=replace(
            admin, user=f"tonny_report_{suffix}", password="report-secret-1", dbname=f"tonny_init_{suffix}"
        ),
    )
    yield result
    with admin.connect() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(result.app.dbname)))
        for role in (result.app.user, result.reporting.user, result.owner):
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def role_flags(admin: ServerLogin, name: str) -> tuple:
    with admin.connect() as conn:
        return conn.execute(
            "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = %s", [name]
        ).fetchone()


def test_initdb_creates_the_database_and_three_roles_with_the_least_rights(setup):
    result = setup.initdb()

    assert result.returncode == 0, result.stderr
    assert role_flags(setup.admin, setup.app.user) == (True, False, False, False)
    assert role_flags(setup.admin, setup.owner) == (False, False, False, False)
    assert role_flags(setup.admin, setup.reporting.user) == (True, False, False, False)
    with setup.admin.connect() as conn:
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [setup.app.dbname]
        ).fetchone()[0]
    assert owner == setup.owner
    with replace(setup.admin, dbname=setup.app.dbname).connect() as conn:
        owners = conn.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public'"
        ).fetchall()
    assert owners == [(setup.owner,)]


def test_the_application_role_reads_and_writes_rows_but_cannot_change_the_schema(setup):
    setup.initdb()

    with setup.app.connect() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('test.crud', '1')")
        conn.execute("UPDATE settings SET value = '2' WHERE key = 'test.crud'")
        assert conn.execute("SELECT value FROM settings WHERE key = 'test.crud'").fetchone() == (2,)
        conn.execute("DELETE FROM settings WHERE key = 'test.crud'")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE sneaky (id int)")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DROP TABLE settings")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("ALTER TABLE settings ADD COLUMN sneaky int")


def test_the_reporting_role_reads_every_table_and_view_but_cannot_write(setup):
    setup.initdb()

    with setup.reporting.connect() as conn:
        assert conn.execute("SELECT count(*) FROM activity_logs").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM recent_activity").fetchone() == (0,)
        for statement in (
            "INSERT INTO settings (key, value) VALUES ('test.report', '1')",
            "UPDATE user_profiles SET name = 'x'",
            "DELETE FROM activity_logs",
            "CREATE TABLE sneaky (id int)",
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(statement)


def test_tables_made_later_by_a_migration_are_open_to_both_roles(setup):
    setup.initdb()
    as_owner = replace(setup.admin, dbname=setup.app.dbname, role=setup.owner)

    with as_owner.connect() as conn:
        conn.execute("CREATE TABLE later_feature (id int)")

    with setup.app.connect() as conn:
        conn.execute("INSERT INTO later_feature VALUES (1)")
    with setup.reporting.connect() as conn:
        assert conn.execute("SELECT count(*) FROM later_feature").fetchone() == (1,)


def test_the_application_runs_as_the_crud_role(setup):
    setup.initdb()

    migrate = manage(["migrate", "--noinput"], login=setup.app)
    samples = manage(["load_samples"], login=setup.app)
    check = manage(["tonny_check"], login=setup.app)

    assert migrate.returncode == 0, migrate.stderr
    assert samples.returncode == 0, samples.stderr
    assert check.returncode in (0, 1), check.stdout + check.stderr  # the samples hold unresolved errors
    assert "PROBLEM" not in check.stdout


def test_running_initdb_again_changes_nothing_and_keeps_the_rows(setup):
    setup.initdb()
    with setup.app.connect() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('test.kept', '1')")

    again = setup.initdb()

    assert again.returncode == 0, again.stderr
    assert "Created: nothing" in again.stdout
    with setup.app.connect() as conn:
        assert conn.execute("SELECT value FROM settings WHERE key = 'test.kept'").fetchone() == (1,)


def test_maintenance_as_the_crud_role_names_what_it_may_not_maintain(setup):
    setup.initdb()
    with setup.admin.connect() as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000

    result = manage(["tonny_maintain", "--analyze"], login=setup.app)

    assert result.returncode == 0, result.stderr
    if major >= 17:  # MAINTAIN is granted: nothing to skip
        assert "skipped" not in result.stderr
    else:
        assert "skipped" in result.stderr and "DB_ADMIN_USER" in result.stderr


def test_maintenance_with_admin_credentials_acts_as_the_owner(setup):
    setup.initdb()

    result = manage(["tonny_maintain", "--vacuum"], login=setup.app, **setup.initdb_env())

    assert result.returncode == 0, result.stderr
    assert "skipped" not in result.stderr


def test_initdb_without_admin_credentials_says_what_to_set(setup):
    result = manage(["tonny_initdb", "--no-prompt"], login=setup.app)

    assert result.returncode == 1
    assert "DB_ADMIN_USER" in result.stderr
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(**setup.app.libpq(), connect_timeout=5).close()
