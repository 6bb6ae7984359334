"""The admin pages run under the Content-Security-Policy without a single violation in the console."""

import pytest

from activity.tests.factories import ActivityLogFactory
from profiles.services import family_admin_ensure
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

PASSWORD = "family-admin-pass-4e1b"
CHANGELISTS = [
    "/admin/profiles/userprofile/",
    "/admin/quickactions/quickaction/",
    "/admin/profiles/familylogin/",
    "/admin/activity/activitylog/",
    "/admin/activity/commandhistory/",
    "/admin/activity/session/",
    "/admin/activity/usagestatistic/",
    "/admin/activity/recentactivity/",
    "/admin/activity/userstatisticssummary/",
    "/admin/telemetry/systemevent/",
    "/admin/telemetry/setting/",
    "/admin/telemetry/notification/",
    "/admin/auth/user/",
]
# Forms with the widgets most likely to need inline script or style: autocomplete, JSON, arrays, the
# category box (sessions are no longer added by hand).
ADD_FORMS = [
    "/admin/profiles/userprofile/add/",
    "/admin/quickactions/quickaction/add/",
    "/admin/telemetry/setting/add/",
]


def csp_violations(console_messages: list[str]) -> list[str]:
    return [message for message in console_messages if "Content Security Policy" in message]


@pytest.fixture
def signed_in_page(page):
    family_admin_ensure(username="parent", password=PASSWORD)
    admin_sign_in(page, username="parent", password=PASSWORD)
    return page


def visit(page, path):
    # After "load" the admin's scripts have run (they start on DOMContentLoaded), so any violation is logged.
    return page.goto(path, wait_until="load")


def test_login_page_has_no_csp_violations(page, console_messages):
    visit(page, "/admin/login/")

    assert csp_violations(console_messages) == []


def test_admin_index_has_no_csp_violations(signed_in_page, console_messages):
    visit(signed_in_page, "/admin/")

    assert csp_violations(console_messages) == []


@pytest.mark.parametrize("path", CHANGELISTS)
def test_changelist_has_no_csp_violations(signed_in_page, console_messages, path):
    ActivityLogFactory()

    response = visit(signed_in_page, path)

    assert response.status == 200
    assert csp_violations(console_messages) == []


def test_detail_page_with_json_has_no_csp_violations(signed_in_page, console_messages):
    row = ActivityLogFactory(metadata={"model": "base", "nested": {"device": "mic"}})

    response = visit(signed_in_page, f"/admin/activity/activitylog/{row.pk}/change/")

    assert response.status == 200
    assert csp_violations(console_messages) == []


@pytest.mark.parametrize("path", ADD_FORMS)
def test_add_form_has_no_csp_violations(signed_in_page, console_messages, path):
    response = visit(signed_in_page, path)

    assert response.status == 200
    assert csp_violations(console_messages) == []


def test_inline_script_is_blocked_and_reported(page, console_messages):
    # Prove the checks above can fail: an injected inline script must be refused and show in the console.
    visit(page, "/admin/login/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = true';"
        " document.head.appendChild(s); }"
    )

    assert page.evaluate("() => window.ran === undefined")
    assert csp_violations(console_messages) != []
