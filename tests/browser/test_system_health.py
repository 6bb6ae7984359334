"""A parent opens System health from the index and reads the checks, the problems and the jobs; a kid never sees it."""

from pathlib import Path

import pytest

from operations.tasks import SCHEDULE
from profiles.models import PermissionLevel
from profiles.services import family_member_create
from telemetry.services import log_system_event
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

PASSWORD = "family-health-pass-7c1d"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def family(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    family_member_create(name="Mum", permission_level=PermissionLevel.ADMIN, username="mum", password=PASSWORD)
    family_member_create(name="Alex", permission_level=PermissionLevel.KID, username="alex", password=PASSWORD)
    log_system_event(
        event_type="whisper_error", severity="error", component="whisper", message="Whisper model failed to load"
    )
    log_system_event(
        event_type="auth.login_failed", severity="warning", component="admin", message="Failed sign-in",
        metadata={"username": "grandpa", "ip_address": "192.0.2.7"},
    )  # fmt: skip
    log_system_event(
        event_type="ops.backup", severity="info", component="operations", message="Backup written",
        metadata={"path": "/backups/tonnytray.dump", "size_bytes": 2_500_000},
    )  # fmt: skip


def test_a_parent_reads_system_health_from_the_index(page, family):
    admin_sign_in(page, username="mum", password=PASSWORD)
    page.click("#content-main .app-system th#system-system_health a")  # System › Health
    page.wait_for_url("**/admin/health/")

    status = page.inner_text("#health-status")
    assert "Needs your attention:" in status and "1 error is not resolved" in status and "Europe/Berlin" in status
    assert "the last backup was today at" in status
    assert not page.is_visible("#health-details .health-findings")  # the database's figures wait under Details
    page.click("#health-details summary")
    assert page.is_visible("#health-details .health-findings")
    assert "Whisper model failed to load" in page.inner_text("#health-events")
    assert "grandpa" in page.inner_text("#health-sign-ins")
    assert "2.4\xa0MB" in page.inner_text("#health-operations")
    assert page.locator("#health-jobs tbody tr").count() == len(SCHEDULE)  # one row per scheduled job
    assert "No worker is running" in page.inner_text("#health-jobs")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "system_health.png"), full_page=True)


def test_a_kid_sees_no_system_health_link_and_is_refused_the_page(page, family, live_server):
    admin_sign_in(page, username="alex", password=PASSWORD)

    assert page.locator("#content-main .app-system").count() == 0
    response = page.goto(f"{live_server.url}/admin/health/")
    assert response.status == 403
