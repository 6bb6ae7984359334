"""Issue 25: list pages draw their rows once a column (the same markup as Django's tag), and member
choosers do not grow with the number of members (a typed name instead of a link a member, autocompletes
on forms, scoped like the member list)."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_list

from activity.models import ActivityLog
from activity.tests.factories import ActivityLogFactory
from tests.admin.helpers import url
from tonnysite.familyadmin.scoping import ProfileListFilter

pytestmark = pytest.mark.django_db


def cells(context: dict) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in context["results"]]


@pytest.mark.parametrize(
    "model", ["activity.activitylog", "activity.session", "telemetry.systemevent", "profiles.userprofile"]
)
def test_list_rows_are_drawn_once_a_column_in_djangos_markup(client_as, family, rows, model):
    response = client_as("admin").get(url(model, "changelist"))
    assert response.status_code == 200
    ours = response.context["family_rows"]
    assert ours is not None and ours["results"], "the family admin draws the rows itself"
    django_drawn = result_list(response.context["cl"])
    assert cells(ours) == cells(django_drawn)
    assert ours["result_headers"] == django_drawn["result_headers"]


def test_list_rows_keep_the_filters_in_each_rows_link(client_as, family, rows):
    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"status__exact": "success"})
    first = str(response.context["family_rows"]["results"][0][1])
    assert "_changelist_filters=status__exact%3Dsuccess" in first


@pytest.fixture
def many_members(family, monkeypatch):
    """More members than the filter offers as links (the bound lowered to 3 for the test)."""
    monkeypatch.setattr(ProfileListFilter, "choices_at_most", 3)
    ActivityLogFactory(profile=family["kid"], command_text="kid's command")
    ActivityLogFactory(profile=family["user"], command_text="user's command")
    return family


def test_a_big_family_types_the_members_name_instead_of_a_link_a_member(client_as, many_members):
    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"status__exact": "success"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'placeholder="Type a member&#x27;s name"' in page or "Type a member" in page
    assert "?profile=Kid+Member" not in page and "profile=Other+Member" not in page
    assert re.search(r'<input type="hidden" name="status__exact" value="success">', page)


def test_a_big_family_filters_by_the_typed_name_and_refuses_an_unknown_one(client_as, many_members):
    client = client_as("admin")
    response = client.get(url("activity.activitylog", "changelist"), {"profile": "Kid Member"})
    assert response.status_code == 200
    assert {row.profile_id for row in response.context["cl"].result_list} == {many_members["kid"].pk}
    assert "Kid Member" in response.content.decode()
    assert client.get(url("activity.activitylog", "changelist"), {"profile": "Nobody"}).status_code == 400


def test_a_kid_in_a_big_family_cannot_filter_by_another_member(client_as, many_members):
    client = client_as("kid")
    assert client.get(url("activity.activitylog", "changelist"), {"profile": "Kid Member"}).status_code == 200
    assert client.get(url("activity.activitylog", "changelist"), {"profile": "User Member"}).status_code == 400


def test_member_choosers_on_forms_are_autocompletes(rf, family):
    request = rf.get("/")
    request.user = family["admin"].login.user
    for model in (ActivityLog, *[m for m in admin.site._registry if m._meta.label == "parental.ParentRequest"]):
        assert "profile" in admin.site.get_model_admin(model).get_autocomplete_fields(request)


@pytest.mark.parametrize(
    ("role", "found"), [("admin", {"Kid Member", "User Member", "Other Member"}), ("user", {"User Member"})]
)
def test_the_member_autocomplete_finds_only_the_members_a_role_sees(client_as, family, role, found):
    response = client_as(role).get(AUTOCOMPLETE, MEMBER_SEARCH)
    assert response.status_code == 200
    names = {item["text"] for item in response.json()["results"]}
    assert found <= names if role == "admin" else names == found


def test_a_kid_who_sees_no_member_list_gets_no_member_autocomplete(client_as, family):
    assert client_as("kid").get(AUTOCOMPLETE, MEMBER_SEARCH).status_code == 403


AUTOCOMPLETE = "/admin/autocomplete/"
MEMBER_SEARCH = {"app_label": "activity", "model_name": "activitylog", "field_name": "profile", "term": "Member"}


@pytest.mark.parametrize("ordering", [("name", "-pk"), ("-permission_level", "name", "-pk")])
def test_member_summaries_page_by_the_members_table_with_the_same_rows(family, ordering):
    from django.core.paginator import Paginator

    from activity.admin import MemberSummaryPaginator
    from activity.models import UserStatisticsSummary

    summaries = UserStatisticsSummary.objects.filter(permission_level="user").order_by(*ordering)
    ours = MemberSummaryPaginator(summaries, 1)
    assert ours._members() is not None, "read from the members' table"
    django_pages = Paginator(summaries, 1)
    assert ours.count == django_pages.count == 2
    for number in (1, 2):
        assert [s.pk for s in ours.page(number)] == [s.pk for s in django_pages.page(number)]


def test_member_summaries_sorted_by_a_sum_read_the_view_whole(family):
    from activity.admin import MemberSummaryPaginator
    from activity.models import UserStatisticsSummary

    assert MemberSummaryPaginator(UserStatisticsSummary.objects.order_by("-total_commands"), 1)._members() is None
