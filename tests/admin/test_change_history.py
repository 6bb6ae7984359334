"""The change history in the admin: one read-only list filterable by member, table and date, each
tracked row's History button, and row scoping: a member sees the history of the rows they may see."""

import re

import pytest
from django.urls import reverse

from history.models import Change
from profiles.services import profile_save
from telemetry.services import setting_update
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db

HISTORY = "/admin/history/change/"


def listed(response) -> list[Change]:
    assert response.status_code == 200, response.content[:500]
    return list(response.context["cl"].result_list)


def raise_limit(profile, minutes=90):
    profile.usage_limits = {**(profile.usage_limits or {}), "daily_limit_minutes": minutes}
    profile_save(profile=profile)


def test_a_parent_reads_who_raised_a_limit_and_when(client_as, family):
    kid = family["kid"]
    raise_limit(kid, 60)
    client_as("admin").post(
        reverse("admin:profiles_userprofile_parental_controls", args=[kid.pk]),
        {"_form": "controls", "daily_limit_minutes": "90"},
    )

    response = client_as("admin").get(HISTORY, {"profile": kid.name, "table_name": "user_profiles"})

    text = response.text
    assert "limits › daily limit minutes" in text
    assert "60 → 90" in text
    assert "admin <small>via family admin</small>" in text
    assert "times in" in text


def test_the_list_filters_by_member_table_and_date(client_as, family, rows):
    raise_limit(family["kid"])
    raise_limit(family["user"])

    by_member = listed(client_as("admin").get(HISTORY, {"profile": family["kid"].name}))
    by_table = listed(client_as("admin").get(HISTORY, {"table_name": "settings"}))
    today = listed(client_as("admin").get(HISTORY, {"changed_at__gte": "2000-01-01 00:00:00+00:00"}))

    assert by_member and {c.member_name for c in by_member} == {"Kid Member"}
    assert by_table and {c.table_name for c in by_table} == {"settings"}
    assert len(today) == min(Change.objects.count(), 50)


def test_a_member_sees_the_history_of_their_own_profile_only(client_as, family):
    raise_limit(family["user"])
    raise_limit(family["kid"])
    raise_limit(family.other)

    seen = listed(client_as("user").get(HISTORY, {"table_name": "user_profiles"}))

    assert {c.member_name for c in seen} == {"User Member"}


def test_a_member_never_sees_the_history_of_a_sensitive_setting(client_as, rows):
    setting_update(setting=rows["setting"]["secret"], value="sk-other")
    setting_update(setting=rows["setting"]["plain"], value="light")

    seen = listed(client_as("user").get(HISTORY, {"table_name": "settings"}))

    assert "ui.theme" in {c.row_id for c in seen}
    assert "n8n.api_key" not in {c.row_id for c in seen}


def test_a_member_sees_the_quick_actions_history_of_their_level_only(client_as, rows):
    seen = listed(client_as("user").get(HISTORY, {"table_name": "quick_actions"}))

    assert {c.row_id for c in seen} == {"action_user", "action_kid", "action_guest"}


def test_a_kid_has_no_change_history_page(client_as, family):
    assert client_as("kid").get(HISTORY).status_code == 403


def test_the_history_button_of_a_profile_opens_its_part_of_the_list(client_as, family):
    kid = family["kid"]
    raise_limit(kid)

    response = client_as("admin").get(url("profiles.userprofile", "history", kid.pk), follow=True)

    assert {c.row_id for c in listed(response)} == {str(kid.pk)}
    assert "Changes to profile “Kid Member”" in response.text


def test_the_history_button_of_another_members_profile_is_not_found(client_as, family):
    assert client_as("user").get(url("profiles.userprofile", "history", family.other.pk)).status_code == 404


def test_the_history_cannot_be_added_to_changed_or_deleted(client_as, family):
    raise_limit(family["kid"])
    entry = Change.objects.first()

    admin = client_as("admin")

    assert admin.get(reverse("admin:history_change_add")).status_code == 403
    assert admin.post(reverse("admin:history_change_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert Change.objects.filter(pk=entry.pk).exists()


def test_a_login_added_for_a_member_names_the_member_not_their_id(client_as, family):
    kid = family["kid"]  # made with a login: the family_logins row points at the kid's profile

    response = client_as("admin").get(HISTORY, {"table_name": "family_logins", "profile": kid.name})

    details = " ".join(re.findall(r'<td class="field-details">(.*?)</td>', response.text, flags=re.S))
    assert listed(response)
    assert "<b>member</b>: Kid Member" in details
    assert str(kid.pk) not in details
