"""The embedded PostgreSQL: starts, is reused, and survives a stale lock left by a crash."""

import os

import psutil
import psycopg
import pytest

from tonnysite.db import EMBEDDED_DATABASE_NAME, embedded_server_start, embedded_server_stop
from tonnysite.env import database_settings, database_source


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
