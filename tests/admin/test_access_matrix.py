"""Role × page: what each role may open in the admin, table by table.

The expectations are written out here by hand (not derived from profiles.roles),
so a change of the mapping has to change this table too.
"""

import pytest
from django.urls import reverse

from tests.admin.helpers import own_object, url

pytestmark = pytest.mark.django_db

# Pages per role: list (change list), add, view (detail page), change (detail page editable), delete.
ALL = {"list", "add", "view", "change", "delete"}
READ = {"list", "view"}
EXPECTED = {
    "profiles.userprofile": {"admin": ALL, "user": READ | {"change"}, "kid": set()},
    "profiles.familylogin": {"admin": READ, "user": set(), "kid": set()},
    "quickactions.quickaction": {"admin": ALL, "user": READ | {"change"}, "kid": set()},
    # Answered on the dashboard, never edited; deleted with their member (or by a family admin).
    "parental.parentrequest": {"admin": READ | {"delete"}, "user": set(), "kid": set()},
    "activity.activitylog": {"admin": READ | {"delete"}, "user": READ, "kid": READ},
    "activity.commandhistory": {"admin": READ | {"delete"}, "user": READ, "kid": READ},
    # Recorded by the tray: a family admin ends (an action) or deletes them, nobody adds or edits one.
    "activity.session": {"admin": READ | {"delete"}, "user": READ, "kid": READ},
    "activity.usagestatistic": {"admin": READ | {"delete"}, "user": READ, "kid": READ},
    "activity.recentactivity": {"admin": READ, "user": READ, "kid": READ},
    "activity.userstatisticssummary": {"admin": READ, "user": READ, "kid": READ},
    "telemetry.systemevent": {"admin": READ | {"delete"}, "user": set(), "kid": set()},
    # Family-wide (privacy, holidays, servers): a user reads them, only a family admin changes them.
    "telemetry.setting": {"admin": ALL, "user": READ, "kid": set()},
    # The system's outbox: a family admin sends them again (an action) or deletes them.
    "telemetry.notification": {"admin": READ | {"delete"}, "user": READ, "kid": set()},
    "auth.user": {"admin": ALL, "user": set(), "kid": set()},
    # Kept by the code (profiles.roles, synced after every migrate): shown, never edited by hand.
    "auth.group": {"admin": READ, "user": set(), "kid": set()},
    # Written by the database only: nobody adds, changes or deletes an entry.
    "history.change": {"admin": READ, "user": READ, "kid": set()},
    # Revoked, never deleted: the device's name stays in the change history.
    "trayapi.devicetoken": {"admin": READ | {"add", "change"}, "user": set(), "kid": set()},
}
CASES = [(model, role) for model in EXPECTED for role in ("admin", "user", "kid")]


@pytest.mark.parametrize(("model", "role"), CASES)
def test_change_list_opens_only_for_roles_allowed_to_list(client_as, rows, model, role):
    response = client_as(role).get(url(model, "changelist"))

    assert response.status_code == (200 if "list" in EXPECTED[model][role] else 403)


@pytest.mark.parametrize(("model", "role"), CASES)
def test_add_page_opens_only_for_roles_allowed_to_add(client_as, rows, model, role):
    if model in ("activity.recentactivity", "activity.userstatisticssummary"):
        response = client_as(role).get(f"/admin/{model.replace('.', '/')}/add/")
    else:
        response = client_as(role).get(url(model, "add"))

    assert response.status_code == (200 if "add" in EXPECTED[model][role] else 403)


@pytest.mark.parametrize(("model", "role"), CASES)
def test_detail_page_opens_read_only_or_editable_as_the_role_allows(client_as, family, rows, model, role):
    obj = own_object(model, role, family, rows)

    response = client_as(role).get(url(model, "change", obj.pk))

    allowed = EXPECTED[model][role]
    assert response.status_code == (200 if "view" in allowed else 403)
    if response.status_code == 200:
        assert response.context["has_change_permission"] == ("change" in allowed)


@pytest.mark.parametrize(("model", "role"), CASES)
def test_delete_page_opens_only_for_roles_allowed_to_delete(client_as, family, rows, model, role):
    obj = own_object(model, role, family, rows)

    response = client_as(role).get(url(model, "delete", obj.pk))

    assert response.status_code == (200 if "delete" in EXPECTED[model][role] else 403)


@pytest.mark.parametrize(("model", "role"), CASES)
def test_history_page_opens_only_for_roles_allowed_to_view(client_as, family, rows, model, role):
    obj = own_object(model, role, family, rows)

    # A tracked table's History button leads to the change history, which opens for the same roles.
    response = client_as(role).get(url(model, "history", obj.pk), follow=True)

    assert response.status_code == (200 if "view" in EXPECTED[model][role] else 403)


@pytest.mark.parametrize("model", list(EXPECTED))
@pytest.mark.parametrize("view", ["changelist", "add", "change", "delete", "history"])
def test_guest_is_sent_to_the_sign_in_page_from_every_admin_page(client_as, family, rows, model, view):
    args = [] if view in ("changelist", "add") else [own_object(model, "admin", family, rows).pk]
    if view == "add" and model in ("activity.recentactivity", "activity.userstatisticssummary"):
        return
    response = client_as("guest").get(url(model, view, *args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_guest_is_sent_to_the_sign_in_page_from_the_admin_index(client_as):
    response = client_as("guest").get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_every_registered_model_is_in_the_matrix():
    from django.contrib import admin

    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}

    assert {m for m in registered if not m.startswith("axes.")} == set(EXPECTED)


@pytest.mark.parametrize("role", ["admin", "user", "kid"])
def test_admin_index_lists_exactly_the_tables_the_role_may_list(client_as, rows, role):
    response = client_as(role).get(reverse("admin:index"))

    shown = {m["model"]._meta.label_lower for app in response.context["app_list"] for m in app["models"] if m["model"]}
    expected = {model for model, roles in EXPECTED.items() if "list" in roles[role]}
    assert {m for m in shown if not m.startswith("axes.")} == expected


# Pages of their own (not a model's): status per role, for the role's own row and someone else's.
OWN_PAGES = {
    "admin:profiles_userprofile_parental_controls": {"admin": 200, "user": 403, "kid": 403},
}


@pytest.mark.parametrize(("page", "role"), [(page, role) for page in OWN_PAGES for role in ("admin", "user", "kid")])
def test_pages_of_their_own_open_only_for_their_roles(client_as, family, page, role):
    for profile in (family[role], family.other):
        assert client_as(role).get(reverse(page, args=[profile.pk])).status_code == OWN_PAGES[page][role]


# Pages of their own without a row: status per role (a guest is sent to the sign-in page).
FAMILY_PAGES = {
    "admin:dashboard": {"admin": 200, "user": 200, "kid": 200, "guest": 302},
    "admin:dashboard_usage_csv": {"admin": 200, "user": 200, "kid": 200, "guest": 302},
    "admin:dashboard_activity_csv": {"admin": 200, "user": 200, "kid": 200, "guest": 302},
    "admin:dashboard_members": {"admin": 200, "user": 200, "kid": 200, "guest": 302},
    "admin:quickactions_quickaction_import": {"admin": 200, "user": 403, "kid": 403, "guest": 302},
    "admin:quickactions_quickaction_export": {"admin": 200, "user": 200, "kid": 403, "guest": 302},
    "admin:quickactions_quickaction_export_json": {"admin": 200, "user": 200, "kid": 403, "guest": 302},
    "admin:system_health": {"admin": 200, "user": 403, "kid": 403, "guest": 302},
    "admin:notification_channels": {"admin": 200, "user": 200, "kid": 403, "guest": 302},
}


@pytest.mark.parametrize(
    ("page", "role"), [(page, role) for page in FAMILY_PAGES for role in ("admin", "user", "kid", "guest")]
)
def test_family_pages_open_only_for_their_roles(client_as, family, rows, page, role):
    assert client_as(role).get(reverse(page)).status_code == FAMILY_PAGES[page][role]
