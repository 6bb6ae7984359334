"""Logins per role: the groups, the link between a login and its profile, and the first family admin."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from profiles.models import FamilyLogin, PermissionLevel, UserProfile
from profiles.services import (
    family_admin_ensure,
    family_login_create,
    family_member_create,
    profile_save,
    role_groups_sync,
)

pytestmark = pytest.mark.django_db
PASSWORD = "family-login-test-7d2a"


def group_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_migrations_create_the_four_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"admin", "user", "kid", "guest"}


def test_kid_group_may_only_view_activity_and_statistics():
    models = ("activitylog", "commandhistory", "session", "usagestatistic", "recentactivity", "userstatisticssummary")
    assert group_permissions("kid") == {f"activity.view_{model}" for model in models}


def test_user_group_may_change_its_profile_quick_actions_and_settings_but_delete_nothing():
    permissions = group_permissions("user")

    assert {"profiles.change_userprofile", "quickactions.change_quickaction", "telemetry.view_setting"} <= permissions
    assert "telemetry.change_setting" not in permissions
    assert not {p for p in permissions if p.split(".")[1].startswith(("delete_", "add_"))}
    assert "telemetry.view_systemevent" not in permissions


def test_guest_group_has_no_permissions():
    assert group_permissions("guest") == set()


def test_admin_group_holds_every_permission_of_the_family_tables():
    permissions = group_permissions("admin")

    assert {"activity.delete_activitylog", "telemetry.change_systemevent", "auth.change_user"} <= permissions


def test_role_groups_sync_restores_a_group_emptied_by_hand():
    Group.objects.get(name="kid").permissions.clear()

    role_groups_sync()

    assert "activity.view_activitylog" in group_permissions("kid")


@pytest.mark.parametrize(("role", "staff"), [("admin", True), ("user", True), ("kid", True), ("guest", False)])
def test_new_member_login_joins_the_group_of_its_role(role, staff):
    profile = family_member_create(name="Sam", permission_level=role, username="sam", password=PASSWORD)

    user = profile.login.user
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.is_staff is staff
    assert user.check_password(PASSWORD)


def test_member_without_username_gets_no_login():
    profile = family_member_create(name="Baby", permission_level=PermissionLevel.KID)

    assert not FamilyLogin.objects.filter(profile=profile).exists()


def test_changing_a_profiles_role_moves_its_login_to_the_new_group():
    profile = family_member_create(name="Sam", permission_level="kid", username="sam", password=PASSWORD)

    profile.permission_level = PermissionLevel.USER
    profile_save(profile=profile)

    assert list(profile.login.user.groups.values_list("name", flat=True)) == ["user"]


def test_a_role_change_through_the_service_updates_the_login_once():
    profile = family_member_create(name="Sam", permission_level="kid", username="sam", password=PASSWORD)
    profile.permission_level = PermissionLevel.ADMIN

    with CaptureQueriesContext(connection) as queries:
        profile_save(profile=profile)

    user_updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "auth_user"')]
    group_changes = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "auth_user_groups"')]
    assert (len(user_updates), len(group_changes)) == (1, 1)
    user = get_user_model().objects.get(username="sam")
    assert (user.is_staff, list(user.groups.values_list("name", flat=True))) == (True, ["admin"])


def test_a_plain_model_save_leaves_the_login_alone():
    # Every writer goes through the services; a bare save() is not one of them.
    profile = family_member_create(name="Sam", permission_level="kid", username="sam", password=PASSWORD)
    profile.permission_level = PermissionLevel.GUEST

    with CaptureQueriesContext(connection) as queries:
        profile.save()

    assert not [q for q in queries if "auth_user" in q["sql"]]


def test_demoting_a_family_admin_takes_away_superuser_status():
    login = family_admin_ensure(username="parent", password=PASSWORD)
    profile = UserProfile.objects.get(login__user__username=login.username)

    profile.permission_level = PermissionLevel.GUEST
    profile_save(profile=profile)

    user = get_user_model().objects.get(username="parent")
    assert (user.is_superuser, user.is_staff) == (False, False)


def test_deactivating_a_profile_stops_its_login():
    profile = family_member_create(name="Sam", permission_level="user", username="sam", password=PASSWORD)

    profile.is_active = False
    profile_save(profile=profile)

    assert get_user_model().objects.get(username="sam").is_active is False


def test_deleting_a_profile_keeps_its_user_but_stops_it_signing_in():
    profile = family_member_create(name="Sam", permission_level="admin", username="sam", password=PASSWORD)

    profile.delete()

    user = get_user_model().objects.get(username="sam")
    assert (user.is_active, user.is_staff, user.is_superuser) == (False, False, False)


def test_login_needs_a_free_username():
    family_member_create(name="Sam", username="sam", password=PASSWORD)
    other = family_member_create(name="Alex")

    with pytest.raises(ValidationError, match="taken"):
        family_login_create(profile=other, username="SAM", password=PASSWORD)


def test_login_needs_a_password_the_validators_accept():
    profile = family_member_create(name="Sam")

    with pytest.raises(ValidationError):
        family_login_create(profile=profile, username="sam", password="123")


def test_first_family_admin_is_linked_to_an_admin_profile_in_the_admin_group():
    result = family_admin_ensure(username="parent", password=PASSWORD)

    user = get_user_model().objects.get(username=result.username)
    assert user.family_login.profile.permission_level == PermissionLevel.ADMIN
    assert list(user.groups.values_list("name", flat=True)) == ["admin"]


def test_family_admin_ensure_twice_makes_one_login():
    family_admin_ensure(username="parent", password=PASSWORD)

    second = family_admin_ensure(username="parent", password=PASSWORD)

    assert second.password is None
    assert FamilyLogin.objects.count() == 1


def test_family_admin_ensure_links_an_existing_superuser_without_a_profile():
    get_user_model().objects.create_superuser("root", password=PASSWORD)

    family_admin_ensure()

    assert get_user_model().objects.get(username="root").family_login.profile.permission_level == "admin"


def test_family_admin_ensure_does_not_take_over_a_non_admin_profile_of_the_same_name():
    family_member_create(name="Parent", permission_level="kid")

    family_admin_ensure(username="parent", password=PASSWORD)

    assert get_user_model().objects.get(username="parent").family_login.profile.name == "Parent (family admin)"


def test_family_admin_ensure_names_the_admin_member_who_signs_in_already_and_adds_no_member():
    family_member_create(name="Dad", permission_level="admin", username="dad", password=PASSWORD)

    result = family_admin_ensure(username="parent", password=PASSWORD)

    assert (result.username, result.password) == ("dad", None)
    assert not get_user_model().objects.filter(username="parent").exists()
    assert list(UserProfile.objects.values_list("name", flat=True)) == ["Dad"]


def test_family_admin_ensure_gives_the_login_to_an_admin_member_who_has_none():
    family_member_create(name="Mum", permission_level="admin")
    family_member_create(name="Alex", permission_level="kid")

    result = family_admin_ensure(username="parent", password=PASSWORD)

    assert get_user_model().objects.get(username=result.username).family_login.profile.name == "Mum"
    assert UserProfile.objects.count() == 2


def test_family_admin_ensure_does_not_answer_with_a_switched_off_admin():
    family_member_create(name="Dad", permission_level="admin", username="dad", password=PASSWORD, is_active=False)

    result = family_admin_ensure(username="parent", password=PASSWORD)

    assert result.username == "parent" and result.password == PASSWORD


def test_add_family_member_command_creates_a_member_with_a_login(capsys):
    call_command("add_family_member", "Alex", "--role", "kid", "--username", "alex")

    out = capsys.readouterr().out
    user = get_user_model().objects.get(username="alex")
    assert user.family_login.profile.name == "Alex"
    assert "password:" in out
