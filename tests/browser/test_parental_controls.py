"""A parent changes Alex's limits and windows on the parental-controls page and sees the preview answer
change; a user or a kid cannot reach the page."""

from pathlib import Path

import pytest

from profiles.models import PermissionLevel
from profiles.services import family_member_create
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

PASSWORD = "family-member-pass-7c2d"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def family(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    members = {
        role: family_member_create(
            name=f"{role.capitalize()} Member", permission_level=role, username=role, password=PASSWORD
        )
        for role in (PermissionLevel.ADMIN, PermissionLevel.USER, PermissionLevel.KID)
    }
    members["alex"] = family_member_create(
        name="Alex",
        permission_level=PermissionLevel.KID,
        allowed_commands=["play music", "tell me a joke"],
        blocked_commands=["buy"],
        usage_limits={"daily_limit_minutes": 60, "allowed_hours": [7, 21], "school_day_limit": 30, "weekend_limit": 90},
    )
    return members


def ask(page, command: str, at: str) -> str:
    page.fill("#id_command", command)
    page.fill("#id_at", at)
    page.click("#preview_form input[type=submit]")
    page.wait_for_load_state()
    return page.inner_text("#preview-answer")


def test_a_parent_changes_alexs_limits_and_windows_and_sees_the_preview_change(page, family):
    admin_sign_in(page, username="admin", password=PASSWORD)
    page.goto("/admin/profiles/userprofile/")
    page.click("tr:has-text('Alex') >> text=Parental controls")
    assert page.inner_text("h1") == "Parental controls: Alex"
    assert "Europe/Berlin" in page.inner_text(".policy-zone")

    before = ask(page, "Play music!", "2026-11-28T21:30")  # a Saturday evening
    assert "Refused" in before and "outside_allowed_hours" in before

    page.fill("#id_windows_school_day", "07:00–07:45\n15:00–20:30")
    page.fill("#id_windows_weekend", "09:00–22:00")
    page.fill("#id_weekend_limit", "120")
    page.fill("#id_blocked_commands", "buy\nunlock the front door")
    page.click("button[name=_form][value=controls]")
    page.wait_for_load_state()
    assert "Saved Alex's limits, hours and commands." in page.inner_text(".messagelist")

    after = ask(page, "Play music!", "2026-11-28T21:30")
    assert "Allowed" in after and "weekend limit 120 min" in after

    early = ask(page, "Play music!", "2026-11-30T08:00")  # Monday, between the school-day windows
    assert "outside_allowed_hours" in early and "15:00" in early

    page.fill("#id_windows_weekend", "09:00–12:00\n11:00–14:00")
    page.click("button[name=_form][value=controls]")
    page.wait_for_load_state()
    assert "overlap" in page.inner_text(".field-windows_weekend .errorlist")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(page.url.split("?")[0] + "?command=play+music&at=2026-11-28T21%3A30#preview")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "parental-controls.png"), full_page=True)


@pytest.mark.parametrize("role", ["user", "kid"])
def test_a_user_or_a_kid_cannot_reach_the_page(page, family, role):
    admin_sign_in(page, username=role, password=PASSWORD)
    for member in ("alex", role):
        response = page.goto(f"/admin/profiles/userprofile/{family[member].pk}/parental-controls/")
        assert response.status == 403
        assert "Parental controls" not in page.content()


def test_a_parent_pauses_alex_and_sees_it_on_the_page_and_the_dashboard(page, family):
    admin_sign_in(page, username="admin", password=PASSWORD)
    page.goto(f"/admin/profiles/userprofile/{family['alex'].pk}/parental-controls/")
    page.select_option("#id_pause_for", "60")
    page.click("#pause_form [type=submit]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/admin/profiles/userprofile/{family['alex'].pk}/parental-controls/")
        assert "Alex is paused until" in page.inner_text("#paused")
        page.screenshot(path=str(SCREENSHOTS / f"paused_controls_{width}.png"))
        page.goto(f"/admin/dashboard/?member={family['alex'].name}")
        assert "Paused until" in page.inner_text(".card .paused")
        page.screenshot(path=str(SCREENSHOTS / f"paused_dashboard_{width}.png"))
