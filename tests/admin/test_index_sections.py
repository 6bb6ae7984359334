"""The index and the sidebar name the sections in the family's words: a parent's first, the technical ones under
one "System"; a member sees only the sections whose tables they may open."""

import re

import pytest

pytestmark = pytest.mark.django_db

HOME = "/admin/"
A_LIST = "/admin/activity/activitylog/"  # any page with the sidebar

PARENT_SECTIONS = ["Family", "Activity", "Quick actions", "Parental controls", "Settings", "Change history"]


def headings(html: str) -> list[str]:
    """The sections' headings in page order (Django's app list: one caption per section)."""
    return re.findall(r'<caption>\s*<a href="[^"]*" class="section">([^<]+)</a>', html)


def entries_of(html: str, section: str) -> list[str]:
    """The entries listed under `section` in the first app list of the page."""
    module = html.split(f'class="section">{section}</a>')[1].split("</table>")[0]
    return [name.strip() for name in re.findall(r'<th scope="row"[^>]*>\s*<a href="[^"]*"[^>]*>([^<]+)</a>', module)]


def test_the_index_shows_a_parents_sections_in_order_then_system(client_as, family):
    html = client_as("admin").get(HOME).text

    assert headings(html) == [*PARENT_SECTIONS, "System"]


def test_system_holds_the_technical_tables_and_the_health_page(client_as, family):
    html = client_as("admin").get(HOME).text

    assert entries_of(html, "System") == [
        "Health",
        "Failed sign-ins",
        "Logins",
        "Notifications",
        "Role groups",
        "Sign-in attempts",
        "Sign-ins and sign-outs",
        "System events",
        "Tray devices",
    ]
    assert entries_of(html, "Family") == ["Family logins", "Members"]


def test_the_sidebar_lists_the_same_sections_as_the_index(client_as, family):
    html = client_as("admin").get(A_LIST).text
    sidebar = html.split('id="nav-sidebar"')[1]

    assert headings(sidebar) == [*PARENT_SECTIONS, "System"]


@pytest.mark.parametrize("page", [HOME, A_LIST, "/admin/auth/user/", "/admin/auth/"])
def test_no_page_names_django_or_axes_apps(client_as, family, page):
    html = client_as("admin").get(page).text

    assert "Authentication and Authorization" not in html
    assert "Axes" not in html
    assert "Access attempts" not in html


def test_a_kid_sees_only_the_activity_section(client_as, family):
    assert headings(client_as("kid").get(HOME).text) == ["Activity"]


def test_a_user_sees_no_health_page_under_system(client_as, family):
    html = client_as("user").get(HOME).text

    assert headings(html) == ["Family", "Activity", "Quick actions", "Settings", "Change history", "System"]
    assert entries_of(html, "System") == ["Notifications"]
