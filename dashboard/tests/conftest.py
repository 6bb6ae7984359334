"""Every dashboard test runs in Berlin, with a login per role."""

from __future__ import annotations

import pytest

from dashboard.tests.helpers import PASSWORD
from tests.helpers import family_with_logins


@pytest.fixture(autouse=True)
def family_zone_berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def family(db) -> dict:
    """A login per role, and a member without a login whose rows only the family admin sees."""
    return family_with_logins(PASSWORD)
