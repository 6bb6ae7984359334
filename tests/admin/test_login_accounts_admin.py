"""The login accounts (auth users) in the admin: what a login may do follows its member's role and
active flag, so the admin shows those fields and never sets them; the rest saves as before, recorded
in the change history under the admin's login."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from history.models import Change
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db

USERS = "auth.user"


def user_form(user, **changes) -> dict:
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    return {**data, **changes}


@pytest.fixture
def kid_login(family):
    return family["kid"].login.user


def test_a_kids_login_cannot_be_made_superuser_or_moved_to_another_group_here(client_as, kid_login):
    admin_group = Group.objects.get(name="admin")
    permission = Permission.objects.get(codename="delete_userprofile")
    data = user_form(
        kid_login, is_superuser="on", is_staff="on", is_active="", groups=[admin_group.pk],
        user_permissions=[permission.pk],
    )  # fmt: skip

    response = client_as("admin").post(url(USERS, "change", kid_login.pk), data)

    kid_login.refresh_from_db()
    assert response.status_code == 302
    assert (kid_login.is_superuser, kid_login.is_staff, kid_login.is_active) == (False, True, True)
    assert list(kid_login.groups.values_list("name", flat=True)) == ["kid"]
    assert not kid_login.user_permissions.exists()


def test_the_rest_of_a_login_still_saves_and_the_history_names_the_admin(client_as, kid_login):
    response = client_as("admin").post(url(USERS, "change", kid_login.pk), user_form(kid_login, email="kid@home.lan"))

    kid_login.refresh_from_db()
    assert response.status_code == 302
    assert kid_login.email == "kid@home.lan"
    entry = Change.objects.filter(table_name="auth_user", row_id=str(kid_login.pk)).latest("id")
    assert (entry.actor, entry.via, entry.changes["email"]["after"]) == ("admin", "admin", "kid@home.lan")


def test_the_login_page_shows_the_role_fields_with_what_decides_them(client_as, kid_login):
    response = client_as("admin").get(url(USERS, "change", kid_login.pk))

    text = response.text
    assert 'name="is_superuser"' not in text
    assert 'name="groups"' not in text
    assert "The group of the member's role: change the role on their profile." in text
    assert "Follows the member's role: only a family admin's login may keep it." in text


def test_a_new_login_is_still_added_with_a_username_and_password(client_as):
    data = {
        "username": "visitor",
        "usable_password": "true",
        "password1": "a-long-pass-5523",
        "password2": "a-long-pass-5523",
    }

    response = client_as("admin").post(url(USERS, "add"), data)

    assert response.status_code == 302


def test_a_family_admin_sees_the_role_groups_but_cannot_change_them(client_as, family):
    group = Group.objects.get(name="kid")
    kept = set(group.permissions.values_list("codename", flat=True))
    other = Permission.objects.get(codename="delete_setting")
    parent = client_as("admin")

    shown = parent.get(url("auth.group", "change", group.pk))
    changed = parent.post(url("auth.group", "change", group.pk), {"name": "kid", "permissions": [other.pk]})
    added = parent.post(url("auth.group", "add"), {"name": "helpers"})

    assert shown.status_code == 200
    assert (changed.status_code, added.status_code) == (403, 403)
    assert set(group.permissions.values_list("codename", flat=True)) == kept
    assert not Group.objects.filter(name="helpers").exists()
