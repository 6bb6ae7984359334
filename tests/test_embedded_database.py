"""The embedded PostgreSQL: starts only when an entry point asks, is reused, and survives a stale lock."""

import json
import os
import shutil
import subprocess
import sys

import psutil
import psycopg
import pytest

from tonnysite.db import EMBEDDED_DATABASE_NAME, embedded_server_start, embedded_server_stop
from tonnysite.env import BASE_DIR, SEED_DB_VARIABLES, database_settings, database_source


@pytest.fixture
def var_dir(tmp_path):
    var = tmp_path / "var"
    yield var
    embedded_server_stop(var)


def postmaster_pid(var) -> int:
    return int((var / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


def answers(config) -> bool:
    with psycopg.connect(host=config["HOST"], user=config["USER"], dbname=config["NAME"]) as conn:
        return conn.execute("SELECT 1").fetchone() == (1,)


def test_embedded_server_starts_with_its_database_and_is_reused(var_dir):
    first = embedded_server_start(var_dir)
    pid = postmaster_pid(var_dir)
    second = embedded_server_start(var_dir)
    assert first == second
    assert first["NAME"] == EMBEDDED_DATABASE_NAME
    assert postmaster_pid(var_dir) == pid
    assert answers(second)


def test_stale_lock_after_a_crash_does_not_stop_the_next_start(var_dir):
    embedded_server_start(var_dir)
    pgdata = var_dir / "pgdata"
    pid = postmaster_pid(var_dir)
    stale = (pgdata / "postmaster.pid").read_text().splitlines()
    # Crash: the server and its workers die without cleaning up...
    postmaster = psutil.Process(pid)
    doomed = [postmaster, *postmaster.children(recursive=True)]
    for proc in doomed:
        proc.kill()
    psutil.wait_procs(doomed, timeout=10)
    # ...and its pid now belongs to another process (ours), as after a reboot.
    stale[0] = str(os.getpid())
    (pgdata / "postmaster.pid").write_text("\n".join(stale) + "\n")
    config = embedded_server_start(var_dir)
    assert postmaster_pid(var_dir) != os.getpid()
    assert answers(config)


def test_a_configured_database_always_wins_over_the_embedded_one(monkeypatch):
    import environ

    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example:5433/family")
    monkeypatch.setenv("DB_HOST", "ignored.example")
    env = environ.Env()
    assert database_source(env) == "DATABASE_URL"
    config = database_settings(env)
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "family")
    monkeypatch.delenv("DATABASE_URL")
    assert database_source(env) == "DB_*"
    assert database_settings(env)["HOST"] == "ignored.example"


def test_pool_follows_the_seed_recommendation_and_can_be_overridden(monkeypatch):
    import environ

    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example:5433/family")
    pool = database_settings(environ.Env())["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"], pool["max_lifetime"]) == (10, 30, 30.0, 3600.0)
    monkeypatch.setenv("DB_POOL_SIZE", "4")
    monkeypatch.setenv("DB_POOL_MAX_OVERFLOW", "2")
    pool = database_settings(environ.Env())["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"]) == (4, 6)


def test_sqlite_is_refused(monkeypatch):
    import environ

    monkeypatch.setenv("DATABASE_URL", "sqlite:///family.db")
    with pytest.raises(RuntimeError, match="PostgreSQL only"):
        database_settings(environ.Env())


@pytest.fixture
def project_copy(tmp_path):
    """The tonnysite package alone in a fresh directory, so its var/ would be created there."""
    root = tmp_path / "project"
    shutil.copytree(BASE_DIR / "tonnysite", root / "tonnysite", ignore=shutil.ignore_patterns("__pycache__"))
    yield root
    embedded_server_stop(root / "var")  # only matters when the settings did start one


def postgres_processes_of(directory) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(directory) in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


@pytest.mark.parametrize("module", ["tonnysite.settings.local", "tonnysite.settings.test"])
def test_importing_the_settings_with_no_database_configured_starts_nothing(project_copy, module):
    unset = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "TEST_DATABASE_NAME", *SEED_DB_VARIABLES}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env["PYTHONPATH"] = str(project_copy)
    script = (
        f"import json, {module} as s; "
        "print(json.dumps([s.DATABASES['default']['HOST'], str(s.TONNY_EMBEDDED_VAR_DIR)]))"
    )
    result = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-c", script], cwd=project_copy, env=env, capture_output=True, text=True, timeout=60
    )

    assert postgres_processes_of(project_copy) == []
    assert not (project_copy / "var").exists()
    assert result.returncode == 0, result.stderr
    host, var_dir = json.loads(result.stdout)
    assert (host, var_dir) == (str(project_copy / "var" / "pgdata"), str(project_copy / "var"))
