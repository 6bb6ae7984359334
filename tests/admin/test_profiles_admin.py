"""Profiles and quick actions in the admin: PINs, adding a member with a login, what members may edit."""

import bcrypt
import pytest
from django.contrib.auth import get_user_model

from history.models import Change
from profiles.models import UserProfile
from quickactions.models import QuickAction
from tests.admin.helpers import profile_form, url

pytestmark = pytest.mark.django_db


def test_setting_a_pin_in_the_form_stores_only_its_bcrypt_hash(client_as, family):
    kid = family["kid"]

    client_as("admin").post(url("profiles.userprofile", "change", kid.pk), profile_form(kid, pin="4321"))

    kid.refresh_from_db()
    assert kid.pin_hash.startswith("$2b$")
    assert bcrypt.checkpw(b"4321", kid.pin_hash.encode())


def test_profile_page_never_shows_the_pin_hash(client_as, family):
    kid = family["kid"]
    client_as("admin").post(url("profiles.userprofile", "change", kid.pk), profile_form(kid, pin="4321"))
    kid.refresh_from_db()

    response = client_as("admin").get(url("profiles.userprofile", "change", kid.pk))

    assert kid.pin_hash not in response.text
    assert "4321" not in response.text


def test_a_pin_that_is_not_4_to_8_digits_is_a_form_error(client_as, family):
    kid = family["kid"]

    response = client_as("admin").post(url("profiles.userprofile", "change", kid.pk), profile_form(kid, pin="12ab"))

    assert "4 to 8 digits" in str(response.context["adminform"].form.errors["pin"])


def test_clearing_the_pin_removes_its_hash(client_as, family):
    kid = family["kid"]
    client_as("admin").post(url("profiles.userprofile", "change", kid.pk), profile_form(kid, pin="4321"))

    client_as("admin").post(url("profiles.userprofile", "change", kid.pk), profile_form(kid, clear_pin="on"))

    kid.refresh_from_db()
    assert kid.pin_hash is None


def test_admin_adds_a_member_with_a_login_in_the_add_form(client_as, family):
    data = profile_form(UserProfile(name="Grandma", permission_level="user", is_active=True, response_mode="both"))

    response = client_as("admin").post(
        url("profiles.userprofile", "add"), {**data, "username": "grandma", "password": "knitting-needles-42"}
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(username="grandma")
    assert user.family_login.profile.name == "Grandma"
    assert list(user.groups.values_list("name", flat=True)) == ["user"]


def test_a_weak_login_password_is_a_form_error_and_adds_nobody(client_as, family):
    data = profile_form(UserProfile(name="Grandma", permission_level="user", is_active=True, response_mode="both"))

    response = client_as("admin").post(url("profiles.userprofile", "add"), {**data, "username": "g", "password": "1"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["password"]
    assert not UserProfile.objects.filter(name="Grandma").exists()


def test_member_cannot_raise_their_own_role(client_as, family):
    user = family["user"]

    client_as("user").post(
        url("profiles.userprofile", "change", user.pk), profile_form(user, permission_level="admin", voice_id="v2")
    )

    user.refresh_from_db()
    assert user.permission_level == "user"
    assert user.voice_id == "v2"


def test_member_cannot_give_themselves_a_second_login(client_as, family):
    user = family["user"]

    client_as("user").post(
        url("profiles.userprofile", "change", user.pk), profile_form(user, username="sneaky", password="pass-pass-42")
    )

    assert not get_user_model().objects.filter(username="sneaky").exists()


def test_profile_list_shows_todays_command_count_from_usage_statistics(client_as, rows):
    response = client_as("admin").get(url("profiles.userprofile", "changelist"))

    counts = {p.name: p.today_command_count for p in response.context["cl"].result_list}
    assert counts["Kid Member"] == 1
    assert counts["Guest Member"] == 0


def test_editing_a_profile_is_recorded_in_the_change_history(client_as, family):
    kid = family["kid"]
    before = kid.voice_id

    client_as("admin").post(url("profiles.userprofile", "change", kid.pk), profile_form(kid, voice_id="new_voice"))

    entry = Change.objects.get(table_name="user_profiles", row_id=str(kid.pk), action="update")
    assert entry.changes == {"voice_id": {"before": before, "after": "new_voice"}}
    assert (entry.actor, entry.member_name) == ("admin", kid.name)


def test_switching_quick_actions_in_the_list_goes_through_the_service_and_the_log(client_as, rows):
    actions = list(QuickAction.objects.order_by("display_name"))
    data = {
        "form-TOTAL_FORMS": str(len(actions)),
        "form-INITIAL_FORMS": str(len(actions)),
        "_save": "Save",
    }
    for i, action in enumerate(actions):
        data[f"form-{i}-id"] = action.pk
        data[f"form-{i}-display_name"] = action.display_name
        data[f"form-{i}-icon"] = action.icon
        data[f"form-{i}-required_permission"] = action.required_permission
        if action.pk != "action_kid":
            data[f"form-{i}-is_enabled"] = "on"

    response = client_as("admin").post(url("quickactions.quickaction", "changelist"), data)

    assert response.status_code == 302
    assert QuickAction.objects.get(pk="action_kid").is_enabled is False
    entry = Change.objects.get(table_name="quick_actions", row_id="action_kid", action="update")
    assert entry.changes == {"is_enabled": {"before": True, "after": False}}


def test_member_cannot_change_what_a_quick_action_does(client_as, rows):
    response = client_as("user").post(
        url("quickactions.quickaction", "change", "action_kid"),
        {"display_name": "Hacked", "command_sequence": "rm -rf", "required_permission": "admin", "is_enabled": ""},
    )

    action = QuickAction.objects.get(pk="action_kid")
    assert response.status_code == 302
    assert (action.display_name, action.required_permission, action.is_enabled) == ("Action kid", "kid", False)


@pytest.mark.parametrize("pin", ["١٢٣٤", "²³⁴⁵", "１２３４"])
def test_a_pin_of_digits_other_than_0_to_9_is_a_form_error(client_as, family, pin):
    kid = family["kid"]

    response = client_as("admin").post(url("profiles.userprofile", "change", kid.pk), profile_form(kid, pin=pin))

    assert response.status_code == 200
    assert "each 0 to 9" in str(response.context["adminform"].form.errors["pin"])
    kid.refresh_from_db()
    assert kid.pin_hash is None


def test_profile_page_answers_with_a_placeholder_pin_hash(client_as, family):
    kid = family["kid"]
    UserProfile.objects.filter(pk=kid.pk).update(pin_hash="$2b$12$placeholder")

    response = client_as("admin").get(url("profiles.userprofile", "change", kid.pk))

    assert response.status_code == 200
    assert "$2b$12$placeholder" not in response.text


def test_deleting_a_member_without_a_login_goes_through_the_service_and_names_the_parent(client_as, family):
    other = family.other

    response = client_as("admin").post(url("profiles.userprofile", "delete", other.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not UserProfile.objects.filter(pk=other.pk).exists()
    deleted = Change.objects.get(table_name="user_profiles", row_id=str(other.pk), action="delete")
    assert deleted.actor == "admin"


def test_profiles_delete_stops_the_logins_of_the_members_it_deletes(family):
    from profiles.services import profiles_delete

    user = family["user"]
    login = get_user_model().objects.get(family_login__profile=user)

    assert profiles_delete(profiles=UserProfile.objects.filter(pk=user.pk)) == 1

    login.refresh_from_db()
    assert (login.is_active, login.is_staff) == (False, False)


def test_deleting_a_request_to_a_parent_in_the_admin_goes_through_the_service(client_as, family):
    from parental.models import ParentRequest

    asked = ParentRequest.objects.create(profile=family["kid"], kind="more_time", device="kitchen")

    response = client_as("admin").post(url("parental.parentrequest", "delete", asked.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not ParentRequest.objects.filter(pk=asked.pk).exists()
    assert Change.objects.get(table_name="parent_requests", row_id=str(asked.pk), action="delete").actor == "admin"
