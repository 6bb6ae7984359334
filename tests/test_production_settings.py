"""Production settings pass Django's deployment checks; every response carries the CSP header."""

import os
import secrets
import subprocess

import pytest
from django.urls import reverse

from tests.helpers import database_url_of_this_run, python_run
from tonnysite.env import SEED_DB_VARIABLES


def manage_py_under_production_settings(*args: str, **env: str | None) -> subprocess.CompletedProcess:
    """Run manage.py with production settings; a variable given as None is left unset.

    The browser harness's DJANGO_ALLOW_ASYNC_UNSAFE is dropped too: a server never has it.
    """
    unset = {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", *SEED_DB_VARIABLES}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(DJANGO_SETTINGS_MODULE="tonnysite.settings.production", DATABASE_URL=database_url_of_this_run())
    clean.update({k: v for k, v in env.items() if v is not None})
    return python_run(["manage.py", *args], clean)


def test_production_settings_pass_check_deploy():
    result = manage_py_under_production_settings(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        "--database",
        "default",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="family.example",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_secret_key():
    result = manage_py_under_production_settings("check", SECRET_KEY=None, ALLOWED_HOSTS="family.example")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts():
    result = manage_py_under_production_settings("check", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=None)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.django_db
def test_responses_carry_the_content_security_policy(client):
    response = client.get(reverse("admin:login"))

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
