"""tonny_check: exit code 0 healthy, 1 warnings, 2 problems, and the figures it promises."""

import io
import json

import pytest
from django.core.management import call_command

from operations.tests.helpers import manage
from telemetry.tests.factories import SystemEventFactory

pytestmark = pytest.mark.django_db


def check(*arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("tonny_check", *arguments, stdout=out)
    return stopped.value.code, out.getvalue()


def test_a_healthy_database_exits_0_with_every_figure(scratch_login):
    # A database of its own: the test run's holds dead rows a test's open transaction keeps from VACUUM.
    assert manage(["migrate", "--noinput"], login=scratch_login).returncode == 0

    result = manage(["tonny_check", "--json"], login=scratch_login)

    report = json.loads(result.stdout)
    assert (result.returncode, report["status"]) == (0, "ok"), [f for f in report["findings"] if f["level"] != "ok"]
    figures = report["figures"]
    assert figures["pending_migrations"] == []
    assert figures["database_bytes"] > 0
    assert {"this_database", "all_databases", "max_connections", "pool_max_per_process"} <= set(figures["connections"])
    assert figures["largest_tables"] and {"table", "bytes", "live_rows"} <= set(figures["largest_tables"][0])
    assert {"index", "table", "scans", "tuples_read", "tuples_fetched"} <= set(figures["indexes"]["least_used"][0])
    assert figures["failed_sign_ins_24h"] == 0
    topics = {"connection", "migrations", "size", "connections", "vacuum", "indexes", "slow queries", "sign-ins"}
    assert {f["topic"] for f in report["findings"]} >= topics | {"events", "disk"}


def test_slow_queries_say_whether_they_are_measured():
    _, output = check("--json")

    finding = next(f for f in json.loads(output)["findings"] if f["topic"] == "slow queries")
    assert "pg_stat_statements" in finding["text"] or "over 1000 ms" in finding["text"]


def test_an_unresolved_error_is_a_warning_exit_1():
    SystemEventFactory(severity="error")

    code, output = check()

    assert code == 1
    assert "WARNING  events: 1 error event is not resolved." in output


def test_many_failed_sign_ins_are_a_warning():
    for _ in range(10):
        SystemEventFactory(event_type="auth.login_failed", severity="warning", metadata={"username": "x"})

    code, output = check()

    assert code == 1
    assert "10 failed sign-ins in the last 24 hours" in output


def test_an_unresolved_critical_event_is_a_problem_exit_2():
    SystemEventFactory(severity="critical")

    assert check()[0] == 2


def test_a_database_without_its_migrations_is_a_problem_exit_2(scratch_login):
    result = manage(["tonny_check"], login=scratch_login)

    assert result.returncode == 2, result.stderr
    assert "PROBLEM  migrations:" in result.stdout


def test_a_server_that_cannot_be_reached_is_a_problem_exit_2(scratch_login):
    from dataclasses import replace

    unreachable = replace(scratch_login, host="127.0.0.1", port="1")

    result = manage(["tonny_check", "--json"], login=unreachable)

    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert report["findings"][0]["topic"] == "connection" and "Cannot connect" in report["findings"][0]["text"]
