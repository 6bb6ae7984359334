"""The parental-controls page: family admins for every member, nobody else; each box checked and saved."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

import bcrypt
import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import Session
from activity.tests.factories import ActivityLogFactory
from parental import rules
from profiles.models import UserProfile
from telemetry.models import Setting
from tests.admin.helpers import url
from tonnysite.clock import local_midnight

pytestmark = pytest.mark.django_db


def page(profile) -> str:
    return reverse("admin:profiles_userprofile_parental_controls", args=[profile.pk])


def controls(**changes) -> dict:
    data = {
        "_form": "controls",
        "daily_limit_minutes": "",
        "school_day_limit": "",
        "weekend_limit": "",
        "windows_school_day": "",
        "windows_weekend": "",
        "allowed_commands": "",
        "blocked_commands": "",
    }
    return {**data, **changes}


@pytest.fixture
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.mark.parametrize("role", ["user", "kid"])
def test_other_roles_get_403_for_every_members_page_their_own_included(client_as, family, role):
    for member in (family[role], family.other, family["kid"]):
        assert client_as(role).get(page(member)).status_code == 403
        assert client_as(role).post(page(member), controls(daily_limit_minutes="5")).status_code == 403
    assert family["kid"].usage_limits == {}


def test_a_guest_and_a_stranger_are_sent_to_sign_in(client, client_as, family):
    assert client.get(page(family["kid"])).status_code == 302
    assert client_as("guest").get(page(family["kid"])).status_code == 302


def test_a_family_admin_reaches_every_members_page(client_as, family):
    for member in [*family.members.values(), family.other]:
        response = client_as("admin").get(page(member))
        assert response.status_code == 200
        assert f"Parental controls: {member.name}" in response.text


@pytest.mark.parametrize("object_id", ["not-an-id", "00000000-0000-0000-0000-000000000000", "a" * 500])
def test_an_unknown_member_is_a_404(client_as, family, object_id):
    response = client_as("admin").get(reverse("admin:profiles_userprofile_parental_controls", args=[object_id]))
    assert response.status_code == 404


def test_reachable_from_the_profile_list_and_the_profile_page(client_as, family):
    admin = client_as("admin")
    assert page(family["kid"]) in admin.get(url("profiles.userprofile", "changelist")).text
    profile_page = admin.get(url("profiles.userprofile", "change", family["kid"].pk)).text
    assert f'href="{page(family["kid"])}" class="viewlink"' in profile_page
    own = client_as("user").get(url("profiles.userprofile", "change", family["user"].pk)).text
    assert "parental-controls" not in own
    assert "parental-controls" not in client_as("user").get(url("profiles.userprofile", "changelist")).text


def test_the_profile_form_no_longer_offers_the_raw_boxes(client_as, family):
    text = client_as("admin").get(url("profiles.userprofile", "change", family["kid"].pk)).text
    for name in ("usage_limits", "allowed_commands", "blocked_commands"):
        assert f'name="{name}"' not in text
    assert "Open the parental-controls page" in text


def test_saving_limits_windows_and_lists(client_as, family):
    kid, admin = family["kid"], client_as("admin")
    response = admin.post(
        page(kid),
        controls(
            daily_limit_minutes="60",
            school_day_limit="30",
            weekend_limit="90",
            windows_school_day="07:00–07:45\n15:00 - 20:30",
            windows_weekend="9:00-21:00",
            allowed_commands="play music\ntell me a joke, please\n",
            blocked_commands="buy\nunlock the front door",
        ),
    )
    assert response.status_code == 302
    kid.refresh_from_db()
    assert kid.usage_limits["windows"]["school_day"] == [["07:00", "07:45"], ["15:00", "20:30"]]
    assert kid.usage_limits["allowed_hours"] == [15, 20]
    assert kid.usage_limits["school_day_limit"] == 30
    assert kid.allowed_commands == ["play music", "tell me a joke, please"]
    assert kid.blocked_commands == ["buy", "unlock the front door"]
    assert "Saved Kid Member&#x27;s limits, hours and commands." in admin.get(page(kid)).text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"daily_limit_minutes": "-5"}, "The daily limit is a whole number of minutes from 0 to 1440, not -5."),
        ({"school_day_limit": "sixty"}, "Enter a whole number."),
        ({"weekend_limit": "5000"}, "The weekend limit is a whole number of minutes from 0 to 1440, not 5000."),
        ({"windows_school_day": "7-25"}, "School days, line 1: “7-25” is not a window like 07:00–21:00"),
        ({"windows_school_day": "07:00-25:00"}, "is not a window like 07:00–21:00 (00:00 to 23:59)"),
        ({"windows_weekend": "09:00-09:00"}, "Weekends and holidays: the window 09:00–09:00 is empty"),
        ({"windows_weekend": "07:00-12:00\n11:00-15:00"}, "the windows 07:00–12:00 and 11:00–15:00 overlap"),
        ({"allowed_commands": "play music\nPlay_Music!"}, "is the same command as “play music” (line 1)"),
        ({"allowed_commands": "play music\n\ngoodnight"}, "Allowed commands, line 2: an empty entry."),
        ({"blocked_commands": "buy\n?!"}, "Blocked commands, line 2: an empty entry (“?!” has no words)."),
        (
            {"allowed_commands": "set a timer", "blocked_commands": "Set a timer."},
            "“set a timer” is in both the allowed and the blocked commands",
        ),
    ],
)
def test_each_field_refuses_bad_input_with_its_message_on_the_page(client_as, family, changes, message):
    kid = family["kid"]
    response = client_as("admin").post(page(kid), controls(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="errorlist' in response.text
    kid.refresh_from_db()
    assert kid.usage_limits == {} and kid.allowed_commands is None


def test_windows_crossing_midnight_are_allowed(client_as, family):
    kid = family["kid"]
    client_as("admin").post(page(kid), controls(windows_school_day="21:00-07:00", windows_weekend="21:00-07:00"))
    kid.refresh_from_db()
    assert kid.usage_limits == {"allowed_hours": [21, 7]}


def test_pin_set_change_and_clear_never_show_it(client_as, family):
    kid, admin = family["kid"], client_as("admin")
    assert admin.post(page(kid), {"_form": "pin", "pin": "4826"}).status_code == 302
    kid.refresh_from_db()
    assert bcrypt.checkpw(b"4826", kid.pin_hash.encode())
    text = admin.get(page(kid)).text
    assert kid.pin_hash not in text and "4826" not in text and "PIN: <strong>set</strong>" in text
    response = admin.post(page(kid), {"_form": "pin", "pin": "12ab"})
    assert "A PIN is 4 to 8 digits, each 0 to 9." in response.text
    response = admin.post(page(kid), {"_form": "pin", "pin": "1234", "clear_pin": "on"})
    assert "Either set a new PIN or remove it, not both." in response.text
    admin.post(page(kid), {"_form": "pin", "clear_pin": "on"})
    kid.refresh_from_db()
    assert kid.pin_hash is None


def test_a_pause_is_said_at_the_top_of_the_page_and_on_the_dashboard_card(client_as, family):
    kid, admin = family["kid"], client_as("admin")
    before = admin.get(page(kid)).text
    admin.post(page(kid), {"_form": "pause", "pause_for": "30"})
    kid.refresh_from_db()
    until = timezone.localtime(datetime.fromisoformat(kid.usage_limits["pause"]["until"]))

    top = admin.get(page(kid)).text.split('class="policy-columns"')[0]
    card = admin.get("/admin/dashboard/", {"member": kid.name}).text

    assert 'id="paused"' not in before
    assert f"{kid.name} is paused until" in top and "every command is refused" in top
    assert f"{until:%H:%M}" in top
    assert "<strong>Paused</strong> until" in card and "every command is refused" in card
    assert "(open now)" not in admin.get(page(kid)).text


def test_a_paused_member_is_resumed_from_the_dashboard_card_and_the_parent_returns_there(client_as, family):
    kid, admin = family["kid"], client_as("admin")
    admin.post(page(kid), {"_form": "pause", "pause_for": "resume"})
    dashboard = f"/admin/dashboard/?member={quote(kid.name)}"
    card = admin.get(dashboard).text
    top = admin.get(page(kid)).text.split('class="policy-columns"')[0]

    answer = admin.post(page(kid), {"_form": "resume", "next": dashboard})
    elsewhere = admin.post(page(kid), {"_form": "resume", "next": "https://evil.example/"})

    kid.refresh_from_db()
    assert f"Resume {kid.name}</button>" in card
    assert 'name="_form" value="resume"' in top
    assert (answer.status_code, answer["Location"]) == (302, dashboard)
    assert elsewhere["Location"] == page(kid)
    assert "pause" not in (kid.usage_limits or {})


def test_pause_for_a_time_and_until_resumed(client_as, family):
    kid, admin = family["kid"], client_as("admin")
    admin.post(page(kid), {"_form": "pause", "pause_for": "30"})
    kid.refresh_from_db()
    assert rules.policy_decide(profile=kid, command="hi").reason == "paused"
    assert "Paused until" in admin.get(page(kid)).text
    admin.post(page(kid), {"_form": "pause", "pause_for": "resume"})
    kid.refresh_from_db()
    assert kid.usage_limits["pause"]["until"] is None
    admin.post(page(kid), {"_form": "resume"})
    kid.refresh_from_db()
    assert "pause" not in kid.usage_limits
    response = admin.post(page(kid), {"_form": "pause", "pause_for": "forever"})
    assert "Select a valid choice." in response.text


def test_family_calendar_on_the_page(client_as, family):
    admin = client_as("admin")
    response = admin.post(page(family["kid"]), {"_form": "calendar", "country": "XX", "holidays": ""})
    assert "“XX” is not a country code the holiday calendar knows" in response.text
    response = admin.post(page(family["kid"]), {"_form": "calendar", "country": "DE", "holidays": "2026-13-01 Oops"})
    assert "Line 1: “2026-13-01 Oops” is not a range" in response.text
    admin.post(
        page(family["kid"]), {"_form": "calendar", "country": "de", "holidays": "2026-10-26 – 2026-10-30 Autumn break"}
    )
    assert Setting.objects.get(key="family.country").value == "DE"
    assert Setting.objects.get(key="family.holidays").value == [
        {"from": "2026-10-26", "to": "2026-10-30", "name": "Autumn break"}
    ]


def test_a_post_without_a_box_is_a_400(client_as, family):
    assert client_as("admin").post(page(family["kid"]), {"_form": "nope"}).status_code == 400


def test_preview_answers_from_the_policy_in_the_familys_zone(client_as, family, berlin):
    kid = family["kid"]
    UserProfile.objects.filter(pk=kid.pk).update(usage_limits={"allowed_hours": [7, 21], "weekend_limit": 90})
    response = client_as("admin").get(page(kid), {"command": "play music", "at": "2026-11-28T21:30"})
    text = response.text
    assert "Times on this page are in <strong>Europe/Berlin</strong>" in text
    assert "outside_allowed_hours" in text
    assert "Sun 29 Nov, 07:00 (Europe/Berlin)" in text
    allowed = client_as("admin").get(page(kid), {"command": "play music", "at": "2026-11-28T10:00"}).text
    assert "Saturday: allowed hours 07:00–21:00; weekend limit 90 min" in allowed


@pytest.mark.parametrize("at", ["not a time", "2026-02-30T10:00", "99999-01-01T00:00", "0000-00-00"])
def test_preview_with_a_bad_moment_is_a_form_error(client_as, family, at):
    response = client_as("admin").get(page(family["kid"]), {"command": "play music", "at": at})
    assert response.status_code == 200
    assert "Enter a valid date/time." in response.text


def test_today_shows_minutes_against_the_limit_commands_windows_and_refusals(client_as, family, berlin):
    kid = family["kid"]
    now = timezone.now()
    day_type = rules.FamilyCalendar().day_type(timezone.localdate(now))[0]
    limit_key = "school_day_limit" if day_type == "school_day" else "weekend_limit"
    UserProfile.objects.filter(pk=kid.pk).update(usage_limits={limit_key: 600})
    start = max(now - timedelta(minutes=20), local_midnight(timezone.localdate(now)))
    Session.objects.create(profile=kid, started_at=start, ended_at=None)
    ActivityLogFactory(profile=kid, command_text="tell me a joke", timestamp=now - timedelta(seconds=30))
    ActivityLogFactory(
        profile=kid,
        command_text="buy a game",
        status="failed",
        timestamp=now - timedelta(seconds=20),
        metadata={"error_type": "policy_refused", "policy": {"reason": "blocked_command", "rule": "buy"}},
    )
    text = client_as("admin").get(page(kid)).text
    assert '<progress id="minutes-used"' in text and 'max="600"' in text
    assert "of 600 minutes used" in text
    assert "2 commands today" in text
    assert "buy a game — blocked for Kid Member" in text
    assert "— blocked_command" not in text
    assert "Allowed hours still open today:" in text
