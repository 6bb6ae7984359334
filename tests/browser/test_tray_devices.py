"""A parent makes a device token in the browser and answers a child's request on the dashboard."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from activity.models import Session
from parental.models import ParentRequest
from parental.services import parent_request_create
from profiles.models import PermissionLevel, UserProfile
from profiles.services import family_member_create
from tests.browser.pages import admin_sign_in
from trayapi.services import device_token_create

pytestmark = pytest.mark.browser

PASSWORD = "family-devices-pass-4e8a"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def family(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    family_member_create(name="Dad", permission_level=PermissionLevel.ADMIN, username="dad", password=PASSWORD)
    alex = family_member_create(name="Alex", permission_level=PermissionLevel.KID)
    UserProfile.objects.filter(pk=alex.pk).update(usage_limits={"daily_limit_minutes": 0})
    alex.refresh_from_db()
    device, _ = device_token_create(name="Alex's tablet", members=[alex])
    asked, _ = parent_request_create(profile=alex, kind="more_time", message="one more chapter", device=device.name)
    return {"alex": alex, "request": asked}


def test_a_parent_answers_a_request_on_the_dashboard(page, family):
    admin_sign_in(page, username="dad", password=PASSWORD)
    page.click("#dashboard-link a.section")
    page.wait_for_url("**/admin/dashboard/")

    box = page.inner_text("#parent-requests")
    assert "Alex asks for more time" in box and "one more chapter" in box and "Alex's tablet" in box
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard_request.png"), full_page=False)
    page.click("#parent-requests button[value='1h']")
    page.wait_for_url("**/admin/dashboard/")

    assert "Answered: Alex" in page.inner_text(".messagelist")
    assert page.locator("#parent-requests").count() == 0
    assert ParentRequest.objects.get().status == "approved"


def test_a_parent_makes_a_device_token_and_sees_it_once(page, family, live_server):
    admin_sign_in(page, username="dad", password=PASSWORD)
    page.goto(f"{live_server.url}/admin/trayapi/devicetoken/add/")
    page.fill("#id_name", "kitchen speaker")
    page.check("text=Alex")
    page.click("input[name=_save]")

    token = page.inner_text("#device-token")
    assert token.startswith("tt_") and len(token) > 40
    page.screenshot(path=str(SCREENSHOTS / "device_token.png"), full_page=False)
    page.click("text=Back to the device tokens")
    listing = page.inner_text("#result_list")
    assert "kitchen speaker" in listing and "Alex" in listing and token not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "device_tokens.png"), full_page=False)


def test_a_parent_sees_a_session_a_crashed_tray_left_open_as_idle(page, family):
    Session.objects.create(profile=family["alex"], started_at=timezone.now() - timedelta(hours=3))
    admin_sign_in(page, username="dad", password=PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/admin/activity/session/")
        row = page.inner_text("#result_list tbody tr")
        assert "Alex" in row and "idle since" in row and "not counted" in row
        page.screenshot(path=str(SCREENSHOTS / f"sessions_idle_{width}.png"), full_page=True)
    page.goto("/admin/activity/session/?state=idle")
    assert page.locator("#result_list tbody tr").count() == 1
