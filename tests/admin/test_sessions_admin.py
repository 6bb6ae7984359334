"""Sessions in the admin: a family admin ends or deletes them through activity.services, and the page
names who ended one; nobody adds or edits a session by hand."""

from datetime import date, timedelta

import pytest
from django.contrib.admin.models import LogEntry

from activity.models import Session
from tests.admin.helpers import url
from tonnysite.clock import local_moment

pytestmark = pytest.mark.django_db

SESSIONS = "activity.session"


def end_from_the_list(client, session):
    data = {"action": "end_selected", "_selected_action": [str(session.pk)], "index": "0"}
    return client.post(url(SESSIONS, "changelist"), data)


def test_a_family_admin_ends_a_session_from_the_list_and_is_named_on_it(client_as, rows):
    session = rows["other"]["session"]

    response = end_from_the_list(client_as("admin"), session)

    session.refresh_from_db()
    assert response.status_code == 302
    assert session.ended_at is not None
    assert session.metadata["ended_by"] == "Admin Member"


def test_a_family_admin_ends_a_session_from_its_page(client_as, rows):
    session = rows["other"]["session"]
    data = {"CHANGE_FORM-action": "end_selected", "_selected_action": [str(session.pk)]}

    client_as("admin").post(url(SESSIONS, "change", session.pk), data)

    session.refresh_from_db()
    assert session.ended_at is not None


def test_ending_shows_how_many_sessions_ended(client_as, rows):
    client = client_as("admin")

    response = end_from_the_list(client, rows["other"]["session"])

    assert "1 session(s) ended." in client.get(response["Location"]).text


@pytest.mark.parametrize("role", ["user", "kid"])
def test_a_member_cannot_end_their_own_session(client_as, rows, role):
    session = rows[role]["session"]

    end_from_the_list(client_as(role), session)

    session.refresh_from_db()
    assert session.ended_at is None


def test_nobody_adds_a_session_by_hand(client_as, family):
    data = {"profile": str(family["kid"].pk), "started_at_0": "2026-06-15", "started_at_1": "12:00:00"}

    response = client_as("admin").post(url(SESSIONS, "add"), data)

    assert response.status_code == 403
    assert not Session.objects.filter(profile=family["kid"]).exists()


def test_nobody_edits_a_session_in_its_form(client_as, rows):
    session = rows["other"]["session"]
    data = {"profile": str(session.profile_id), "command_count": "999", "ended_at_0": "2026-06-15",
            "ended_at_1": "12:00:00", "_save": "Save"}  # fmt: skip

    response = client_as("admin").post(url(SESSIONS, "change", session.pk), data)

    session.refresh_from_db()
    assert response.status_code == 403
    assert (session.command_count, session.ended_at) == (0, None)


def test_the_session_page_shows_no_form_to_save(client_as, rows):
    response = client_as("admin").get(url(SESSIONS, "change", rows["other"]["session"].pk))

    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.text
    assert "End selected sessions" in response.text


def test_deleting_a_session_takes_its_time_out_of_the_day_and_is_in_the_admin_log(client_as, family):
    kid = family["kid"]
    start = local_moment(date(2026, 6, 15), 12 * 60)
    session = Session.objects.create(profile=kid, started_at=start, ended_at=start + timedelta(minutes=30))
    assert kid.usage_statistics.get().total_duration_seconds == 1800

    response = client_as("admin").post(url(SESSIONS, "delete", session.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()
    assert not kid.usage_statistics.exists()
    entry = LogEntry.objects.get(object_id=str(session.pk))
    assert entry.is_deletion() and entry.user.username == "admin"


def test_deleting_sessions_with_the_action_goes_through_the_same_service(client_as, rows):
    chosen = [rows["kid"]["session"], rows["other"]["session"]]
    data = {"action": "delete_selected", "_selected_action": [str(s.pk) for s in chosen], "post": "yes"}

    client_as("admin").post(url(SESSIONS, "changelist"), data)

    assert not Session.objects.filter(pk__in=[s.pk for s in chosen]).exists()
    assert Session.objects.filter(pk=rows["user"]["session"].pk).exists()


@pytest.mark.parametrize("role", ["user", "kid"])
def test_a_member_cannot_delete_their_own_session(client_as, rows, role):
    session = rows[role]["session"]

    response = client_as(role).post(url(SESSIONS, "delete", session.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Session.objects.filter(pk=session.pk).exists()
