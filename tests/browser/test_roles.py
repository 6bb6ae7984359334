"""Each role signs in and sees exactly what it should: its sections, only its own rows, or nothing at all.

The expected sections are written out by hand from the issue (family admin: everything; user: their
profile, activity, statistics, quick actions, settings and notifications; kid: read-only activity and
statistics; guest: no admin access), so a change of the role mapping has to change this file too.
"""

import pytest

from activity.tests.factories import ActivityLogFactory
from profiles.models import PermissionLevel
from tests.browser.pages import admin_index_addable_models, admin_index_models, admin_sign_in, schema_models
from tests.helpers import family_with_logins

pytestmark = pytest.mark.browser

PASSWORD = "family-member-pass-7c2d"
OWN_ACTIVITY_AND_STATISTICS = {
    "activity.activitylog",
    "activity.commandhistory",
    "activity.session",
    "activity.usagestatistic",
    "activity.recentactivity",
    "activity.userstatisticssummary",
}
INDEX_OF = {
    PermissionLevel.USER: OWN_ACTIVITY_AND_STATISTICS
    | {"profiles.userprofile", "quickactions.quickaction", "telemetry.setting", "telemetry.notification"}
    | {"history.change"},
    PermissionLevel.KID: OWN_ACTIVITY_AND_STATISTICS,
}


@pytest.fixture
def family():
    """One member with a login per role (username = role), and a member without a login."""
    return family_with_logins(PASSWORD)


@pytest.fixture
def activity(family):
    """One activity row per member, its command naming its owner."""
    return {
        owner: ActivityLogFactory(profile=profile, command_text=f"lights on for {owner}")
        for owner, profile in family.items()
    }


def sign_in_as(page, role):
    return admin_sign_in(page, username=role, password=PASSWORD)


def activity_list_text(page) -> str:
    page.goto("/admin/activity/activitylog/")
    return page.locator("#result_list").inner_text()


def test_family_admin_role_sees_every_table_of_the_schema(page, family):
    sign_in_as(page, PermissionLevel.ADMIN)

    assert schema_models() <= admin_index_models(page)


@pytest.mark.parametrize("role", [PermissionLevel.USER, PermissionLevel.KID])
def test_member_sees_exactly_the_sections_of_their_role(page, family, role):
    sign_in_as(page, role)

    assert admin_index_models(page) == INDEX_OF[role]


def test_kid_is_offered_nothing_to_add(page, family):
    sign_in_as(page, PermissionLevel.KID)

    assert admin_index_addable_models(page) == set()


def test_family_admin_sees_everyones_activity_rows(page, activity):
    sign_in_as(page, PermissionLevel.ADMIN)

    listed = activity_list_text(page)

    assert all(f"lights on for {owner}" in listed for owner in activity)


@pytest.mark.parametrize("role", [PermissionLevel.USER, PermissionLevel.KID])
def test_member_sees_only_their_own_activity_rows(page, activity, role):
    sign_in_as(page, role)

    listed = activity_list_text(page)

    assert f"lights on for {role}" in listed
    assert [owner for owner in activity if owner != role and f"lights on for {owner}" in listed] == []


@pytest.mark.parametrize("role", [PermissionLevel.USER, PermissionLevel.KID])
def test_member_gets_no_data_from_someone_elses_activity_url(page, activity, role):
    sign_in_as(page, role)

    response = page.goto(f"/admin/activity/activitylog/{activity['other'].pk}/change/")

    assert response.status in (403, 404)
    assert "lights on for other" not in page.content()


def test_kid_sees_their_own_activity_read_only(page, activity):
    sign_in_as(page, PermissionLevel.KID)

    response = page.goto(f"/admin/activity/activitylog/{activity['kid'].pk}/change/")

    assert response.status == 200
    assert "lights on for kid" in page.content()
    assert page.locator("input[name=_save]").count() == 0


@pytest.mark.parametrize("path", ["/admin/telemetry/systemevent/", "/admin/auth/user/"])
def test_kid_cannot_open_family_admin_pages(page, family, path):
    sign_in_as(page, PermissionLevel.KID)

    response = page.goto(path)

    assert response.status == 403


def test_guest_is_refused_at_sign_in(page, family):
    response = sign_in_as(page, PermissionLevel.GUEST)

    assert response.status == 200
    assert "/admin/login/" in page.url
    assert page.locator(".errornote").is_visible()


def test_guest_cannot_reach_the_admin_index(page, family):
    sign_in_as(page, PermissionLevel.GUEST)

    page.goto("/admin/")

    assert "/admin/login/" in page.url
