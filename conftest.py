"""Project-wide pytest set-up: start the embedded PostgreSQL if it is in use, report which server the run uses."""

import pytest


def pytest_configure(config):
    # Once per session, after pytest-django has chosen the settings and before it creates the test database.
    from tonnysite.db import embedded_server_ensure

    embedded_server_ensure()


def pytest_report_header(config):
    import psycopg
    from django.conf import settings

    from tonnysite.env import database_source, environment

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
    ) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    source = database_source(environment())
    return [f"database: {source} PostgreSQL {version} at {db['HOST'] or 'local socket'}:{db['PORT'] or '-'}"]


@pytest.fixture
def parent_login():
    """The family admin `tests.helpers.PARENT_USERNAME` with `PARENT_PASSWORD`, for tests of signing in."""
    from profiles.services import family_admin_ensure
    from tests.helpers import PARENT_PASSWORD, PARENT_USERNAME

    return family_admin_ensure(username=PARENT_USERNAME, password=PARENT_PASSWORD)
