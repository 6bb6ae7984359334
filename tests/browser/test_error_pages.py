"""Bad input seen in a browser: the 400 and 404 pages are in the admin's look, say what was wrong,
and break no Content-Security-Policy rule."""

import os
from pathlib import Path

import pytest

from profiles.services import family_member_create
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

PASSWORD = "error-pages-pass-5b1e"


def screenshot(page, name: str, tmp_path: Path) -> None:
    # TONNY_SCREENSHOTS=dir keeps them for a person to look at; otherwise they go to tmp_path.
    folder = Path(os.environ.get("TONNY_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/admin/activity/activitylog/?profile=not-a-member", 400, "is not a family member"),
        ("/admin/activity/activitylog/?q=" + "lights+" * 20, 400, "Search"),
        ("/admin/telemetry/setting/?value__startswith=sk-", 400, "Filtering by value__startswith not allowed"),
        ("/admin/activity/activitylog/?profile=a%00b", 400, "NUL character"),
        ("/admin/no-such-page/", 404, "Page not found"),
    ],
    ids=["filter", "search", "secret", "nul", "missing"],
)
def test_bad_input_shows_a_clear_page_in_the_admins_look(page, console_messages, tmp_path, path, status, words):
    family_member_create(name="Dad", permission_level="admin", username="dad", password=PASSWORD)
    admin_sign_in(page, username="dad", password=PASSWORD)

    response = page.goto(path)

    assert response.status == status
    assert words in page.content()
    assert page.locator("#site-name").inner_text() == "TonnyTray Family Admin"
    assert page.locator("link[href*='admin/css/base']").count() == 1
    assert not [m for m in console_messages if "Content Security Policy" in m]
    screenshot(page, f"error-{status}-{path.split('?')[-1][:20].replace('/', '_')}", tmp_path)
