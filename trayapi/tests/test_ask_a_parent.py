"""Ask a parent, end to end: refused → asks → the family admins are told → a parent answers on the
dashboard → the policy honours the approval until it ends, and says so."""

from datetime import timedelta

import pytest
from django.utils import timezone

from history.models import Change
from parental.models import ParentRequest
from profiles.models import UserProfile
from telemetry.models import Notification
from tests.admin.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def limited(household):
    UserProfile.objects.filter(pk=household.kid.pk).update(
        usage_limits={"daily_limit_minutes": 0}, blocked_commands=["buy *"]
    )
    return household


def policy(household, command="play music"):
    return household.api.get("/policy", {"member": household.kid.pk, "command": command}).json()


def ask(household, **body):
    return household.api.post("/requests", {"member": str(household.kid.pk), **body})


def test_more_time_asked_answered_on_the_dashboard_and_honoured(limited):
    assert policy(limited)["allowed"] is False

    asked = ask(limited, kind="more_time", message="Just one more song")
    again = ask(limited, kind="more_time")
    parent = signed_in_client("mum")
    dashboard = parent.get("/admin/dashboard/").content.decode()
    controls = parent.get(f"/admin/profiles/userprofile/{limited.kid.pk}/parental-controls/").content.decode()
    decided = parent.post(
        f"/admin/requests/{asked.json()['id']}/decide/", {"answer": "1h", "next": "/admin/dashboard/"}
    )
    answer = policy(limited)

    assert asked.status_code == 201 and again.status_code == 200 and again.json()["id"] == asked.json()["id"]
    assert "Alex</strong> asks for more time" in dashboard and "Just one more song" in dashboard
    assert "Alex</strong> asks for more time" in controls
    told = Notification.objects.get(profile=limited.parent, notification_type="parent_request")
    assert "Alex asks for more Tonny time" in told.title and told.metadata["channel"] == "push"
    assert decided.status_code == 302
    assert (answer["allowed"], answer["reason"]) == (True, "approved_by_parent")
    assert "said yes" in answer["message"]
    until = ParentRequest.objects.get().approved_until
    assert abs(until - (timezone.now() + timedelta(hours=1))) < timedelta(minutes=1)
    assert limited.api.get(f"/requests/{asked.json()['id']}").json()["status"] == "approved"
    assert Notification.objects.get(profile=limited.kid, notification_type="parent_answer").message.startswith(
        "Mum said yes"
    )


def test_the_approval_ends_when_it_says(limited):
    asked = ask(limited, kind="more_time").json()
    signed_in_client("mum").post(f"/admin/requests/{asked['id']}/decide/", {"answer": "15m"})
    ParentRequest.objects.update(approved_until=timezone.now() - timedelta(seconds=1))

    assert policy(limited)["reason"] == "daily_limit_reached"


def test_one_command_is_allowed_once(limited):
    assert policy(limited, "buy a dragon")["reason"] == "blocked_command"
    asked = ask(limited, kind="command", command="Buy a dragon!").json()
    signed_in_client("mum").post(f"/admin/requests/{asked['id']}/decide/", {"answer": "day"})

    allowed = policy(limited, "buy a dragon")
    other = policy(limited, "buy a castle")
    limited.api.post("/activity", {"items": [{"client_id": "6f1c7a30-1d2e-4f5a-8b9c-0d1e2f3a4b5c",
                                              "member": str(limited.kid.pk), "command_text": "buy a dragon",
                                              "status": "success"}]})  # fmt: skip
    after = policy(limited, "buy a dragon")

    assert (allowed["allowed"], other["allowed"], after["allowed"]) == (True, False, False)


def test_a_declined_request_changes_nothing_and_cannot_be_answered_twice(limited):
    asked = ask(limited, kind="more_time").json()
    parent = signed_in_client("mum")

    parent.post(f"/admin/requests/{asked['id']}/decide/", {"answer": "decline"})
    second = parent.post(f"/admin/requests/{asked['id']}/decide/", {"answer": "1h"}, follow=True)

    assert policy(limited)["allowed"] is False
    assert ParentRequest.objects.get().status == "declined"
    assert "answered already" in second.content.decode()


@pytest.mark.parametrize(
    "body",
    [{"kind": "everything"}, {"kind": "command"}, {"kind": "command", "command": "   "}, {"kind": "more_time", "x": 1}],
)
def test_bad_requests_get_400(limited, body):
    assert ask(limited, **body).status_code == 400
    assert not ParentRequest.objects.exists()


def test_nothing_to_ask_when_the_member_is_allowed(household):
    answer = ask(household, kind="more_time")

    assert answer.status_code == 400 and "Nothing to ask" in answer.json()["detail"]


def test_only_a_family_admin_may_answer(limited, family_logins_kid):
    asked = ask(limited, kind="more_time").json()

    answer = signed_in_client("alexlogin").post(f"/admin/requests/{asked['id']}/decide/", {"answer": "day"})

    assert answer.status_code == 403
    assert ParentRequest.objects.get().status == "pending"


def test_the_change_history_names_the_device(limited):
    ask(limited, kind="more_time")

    entry = Change.objects.get(table_name="parent_requests", action="insert")
    assert (entry.actor, entry.via) == ("device living room tray", "api")


@pytest.fixture
def family_logins_kid(household):
    from profiles.services import family_login_create

    family_login_create(profile=household.kid, username="alexlogin", password="kid-pass-29xQ")
