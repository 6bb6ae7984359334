"""A parent selects several quick actions, changes their permission on the bulk-edit page, and reorders
the commands of one action with the list's buttons."""

from pathlib import Path

import pytest

from activity.tests.factories import CommandHistoryFactory
from profiles.models import PermissionLevel
from profiles.services import family_member_create
from quickactions.models import QuickAction
from quickactions.tests.factories import QuickActionFactory
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

PASSWORD = "family-member-pass-7c2d"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def actions():
    family_member_create(name="Parent", permission_level=PermissionLevel.ADMIN, username="admin", password=PASSWORD)
    for action_id, name, icon, category, commands in (
        ("good_morning", "Good morning", "☀️", "routines", ["turn on the lights", "read the weather, briefly"]),
        ("bedtime", "Bedtime", "🌙", "routines", ["dim the lights", "play rain sounds"]),
        ("party", "Party", "🎉", "fun", ["set the lights to red, green and blue", "play some music"]),
        ("movie_night", "Movie night", "🍿", "fun", ["close the blinds", "turn on the TV"]),
    ):
        QuickActionFactory(
            id=action_id, display_name=name, icon=icon, metadata={"category": category}, command_sequence=commands
        )
    for _ in range(3):
        CommandHistoryFactory(quick_action_id="good_morning")


def test_a_parent_changes_permissions_in_bulk_and_reorders_commands(page, actions, console_messages):
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    admin_sign_in(page, username="admin", password=PASSWORD)
    page.set_viewport_size({"width": 1440, "height": 800})
    page.goto("/admin/quickactions/quickaction/")
    for action_id in ("bedtime", "movie_night", "party"):
        page.check(f"input.action-select[value={action_id}]")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "quick-actions-list.png"), full_page=True)
    page.select_option("select[name=action]", "bulk_edit_selected")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert "Edit 3 quick actions together" in page.inner_text("h1")

    page.select_option("#id_required_permission", "kid")
    page.click("button[name=_step][value=preview]")
    page.wait_for_load_state()
    preview = page.inner_text("#bulk-edit-preview")
    assert "3 of 3 would change" in preview and "User" in preview and "Kid" in preview
    assert QuickAction.objects.filter(required_permission="kid").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "quick-actions.png"), full_page=True)

    page.click("#bulk-edit-apply")
    page.wait_for_load_state()
    assert "3 quick action(s) changed." in page.inner_text(".messagelist")
    assert set(QuickAction.objects.filter(required_permission="kid").values_list("pk", flat=True)) == {
        "bedtime",
        "movie_night",
        "party",
    }

    page.goto("/admin/quickactions/quickaction/party/change/")
    entries = page.locator("input.command-entry")
    assert entries.count() == 2
    page.locator(".command-list li").nth(0).locator(".command-down").click()
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert QuickAction.objects.get(pk="party").command_sequence == [
        "play some music",
        "set the lights to red, green and blue",
    ]
    assert not [m for m in console_messages if "Content Security Policy" in m]
    assert missing == []
