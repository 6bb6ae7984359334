"""The dashboard of a big family: pages whose size and query count do not grow with the members
(a name box with suggestions instead of a list of every member, member cards a page at a time),
the suggestions' scoping and bad input, and the pages of member cards."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activity.tests.factories import ActivityLogFactory
from dashboard.selectors import CARDS_PER_PAGE, SUGGESTIONS
from profiles.models import PermissionLevel
from profiles.tests.factories import UserProfileFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
DASHBOARD = "/admin/dashboard/"
SUGGEST = reverse("admin:dashboard_members")


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def members_add(count: int, *, start: int = 0, active: bool = True) -> list:
    """`count` kids named "Kid 000", "Kid 001"… (names of one length), each with a command yesterday."""
    yesterday = datetime.now(BERLIN).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    made = []
    for n in range(start, start + count):
        kid = UserProfileFactory(name=f"Kid {n:03d}", permission_level=PermissionLevel.KID, is_active=active)
        ActivityLogFactory(profile=kid, timestamp=yesterday, command_text="lights on")
        made.append(kid)
    return made


def measured(client, params) -> tuple[int, int]:
    """(queries, bytes) of one dashboard page."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD, params)
    assert response.status_code == 200, response.content[:500]
    return len(captured), len(response.content)


def test_the_pages_query_count_and_size_do_not_grow_with_the_members(client_as, family):
    client = client_as("admin")
    members_add(CARDS_PER_PAGE + 6)
    family_queries, family_bytes = measured(client, {"range": "last_7_days"})
    member_queries, member_bytes = measured(client, {"range": "last_7_days", "member": "Kid 003"})

    members_add(CARDS_PER_PAGE * 3, start=100)

    assert measured(client, {"range": "last_7_days"})[0] == family_queries
    assert measured(client, {"range": "last_7_days", "member": "Kid 003"}) == (member_queries, member_bytes)
    # The same cards show (the first page, by name); only the counts in words may change length.
    assert abs(measured(client, {"range": "last_7_days"})[1] - family_bytes) < 40


def test_a_small_and_a_big_family_cost_the_same_queries(client_as, family):
    client = client_as("admin")
    members_add(1)
    few = measured(client, {"range": "this_week"})[0]

    members_add(60, start=1)

    assert measured(client, {"range": "this_week"})[0] == few


def test_the_member_box_is_a_text_box_with_suggestions_not_a_list_of_every_member(client_as, family):
    members_add(5)

    text = client_as("admin").get(DASHBOARD).text

    assert "<select" not in text.split('id="id_member"')[0].rsplit("<", 1)[-1]
    assert 'type="text" name="member"' in text and 'list="member-suggestions"' in text
    assert "Kid 004</option>" not in text
    assert f'data-source="{SUGGEST}"' in text


def test_typing_a_name_and_submitting_shows_that_member_without_javascript(client_as, family):
    members_add(3)

    response = client_as("admin").get(DASHBOARD, {"member": "Kid 001", "range": "last_7_days"})

    assert response.status_code == 200
    assert response.context["query"].member.name == "Kid 001"
    assert 'value="Kid 001"' in response.text
    assert client_as("admin").get(DASHBOARD, {"member": "Kid 9"}).status_code == 400


# --- the suggestions -----------------------------------------------------------------------


def test_a_family_admin_gets_names_containing_the_text_those_starting_with_it_first(client_as, family):
    members_add(3)
    UserProfileFactory(name="Mikid", permission_level=PermissionLevel.KID)

    names = client_as("admin").get(SUGGEST, {"q": "kid"}).json()["members"]

    assert names == ["Kid 000", "Kid 001", "Kid 002", "Kid Member", "Mikid"]


def test_suggestions_are_bounded_whatever_the_family(client_as, family):
    members_add(SUGGESTIONS + 5)

    assert len(client_as("admin").get(SUGGEST, {"q": ""}).json()["members"]) == SUGGESTIONS
    assert len(client_as("admin").get(SUGGEST, {"q": "Kid 0"}).json()["members"]) == SUGGESTIONS


@pytest.mark.parametrize("role", ["kid", "user"])
def test_a_member_below_family_admin_is_suggested_only_themself(client_as, family, role):
    members_add(2)
    own = family[role].name

    assert client_as(role).get(SUGGEST, {"q": ""}).json() == {"members": [own]}
    assert client_as(role).get(SUGGEST, {"q": "Kid 00"}).json() == {"members": []}
    assert client_as(role).get(SUGGEST, {"q": "Other"}).json() == {"members": []}


def test_a_guest_gets_no_suggestions(client, client_as, family):
    assert client.get(SUGGEST, {"q": "Kid"}).status_code == 302  # to the sign-in page
    assert client_as("guest").get(SUGGEST, {"q": "Kid"}).status_code in (302, 403)


@pytest.mark.parametrize("query", ["q=" + "a" * 101, "q=Kid&q=Other", "q=Kid%00"])
def test_bad_suggestion_input_gets_a_400(client_as, family, query):
    assert client_as("admin").get(f"{SUGGEST}?{query}").status_code == 400


# --- the pages of member cards -------------------------------------------------------------


def cards_of(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [card.profile.name for card in response.context["figures"].members]


def test_member_cards_come_a_page_at_a_time_with_the_next_page_linked(client_as, family):
    members_add(CARDS_PER_PAGE + 3)  # with the family fixture's 5 members: 32 active
    client = client_as("admin")

    first = client.get(DASHBOARD, {"range": "yesterday"})
    second = client.get(DASHBOARD, {"range": "yesterday", "page": 2})

    assert len(cards_of(first)) == CARDS_PER_PAGE
    assert cards_of(first)[:2] == ["Admin Member", "Guest Member"]
    assert "Members 1–24 of 32 active members (page 1 of 2)" in first.text
    assert 'href="?range=yesterday&amp;page=2" rel="next"' in first.text
    assert len(cards_of(second)) == 32 - CARDS_PER_PAGE
    assert not set(cards_of(first)) & set(cards_of(second))
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert second.context["figures"].total.commands == first.context["figures"].total.commands == 27


def test_inactive_members_show_only_after_show_all(client_as, family):
    members_add(2)
    members_add(2, start=50, active=False)
    client = client_as("admin")

    active = client.get(DASHBOARD, {"range": "yesterday"})
    every = client.get(DASHBOARD, {"range": "yesterday", "cards": "all"})

    assert "Kid 050" not in cards_of(active) and "Kid 000" in cards_of(active)
    assert "2 inactive not shown" in active.text
    assert 'href="?range=yesterday&amp;cards=all">Show all members' in active.text
    assert {"Kid 050", "Kid 051", "Kid 000"} <= set(cards_of(every))
    assert "Only the active members" in every.text
    # The family's figures count every member whichever cards show.
    assert active.context["figures"].total.commands == every.context["figures"].total.commands == 4


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "2"}, {"page": "two"}, {"cards": "some"}])
def test_a_page_of_cards_that_does_not_exist_gets_a_400(client_as, family, params):
    response = client_as("admin").get(DASHBOARD, params)

    assert response.status_code == 400
    assert "cards" in response.text.lower()


def test_one_members_dashboard_has_their_card_alone_and_no_pages(client_as, family):
    members_add(CARDS_PER_PAGE + 3)

    response = client_as("admin").get(DASHBOARD, {"member": "Kid 002"})

    assert cards_of(response) == ["Kid 002"]
    assert response.context["figures"].card_page is None
    assert "Pages of member cards" not in response.text
