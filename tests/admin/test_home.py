"""The family's home (/admin/): what needs a parent first, then each member's day; a member sees only theirs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import Session
from parental.models import ParentRequest
from parental.services import profile_pause
from profiles.models import UserProfile
from telemetry.tests.factories import SystemEventFactory

pytestmark = pytest.mark.django_db

HOME = "/admin/"


def needs_you(text: str) -> str:
    return text.split('id="needs-you"')[1].split('id="family-today"')[0]


def test_a_quiet_day_says_nothing_waits(client_as, family):
    text = client_as("admin").get(HOME).text

    assert "Nothing waits for you" in needs_you(text)
    assert "The family today" in text


def test_what_needs_the_parent_comes_first_requests_paused_limits_and_errors(client_as, family):
    kid, user = family["kid"], family["user"]
    ParentRequest.objects.create(profile=kid, kind="more_time", device="kitchen", message="one more song")
    profile_pause(profile=user, minutes=None)
    UserProfile.objects.filter(pk=kid.pk).update(usage_limits={"daily_limit_minutes": 10})
    now = timezone.now()
    Session.objects.create(profile=kid, started_at=now - timedelta(minutes=12), ended_at=now - timedelta(seconds=5))
    SystemEventFactory(severity="error", resolved_at=None, message="n8n did not answer")

    section = needs_you(client_as("admin").get(HOME).text)

    assert "Kid Member</strong> asks for more time" in section and "Yes, 15 minutes" in section
    assert "User Member</strong> is paused until you resume it" in section and "Resume User Member" in section
    assert "Kid Member</strong> has used all of today" in section
    assert "1 unresolved error" in section
    assert "Nothing waits for you" not in section


def test_a_kid_sees_only_their_own_day_and_nothing_of_the_family(client_as, family):
    ParentRequest.objects.create(profile=family["user"], kind="more_time", device="kitchen")

    text = client_as("kid").get(HOME).text

    assert "Your day" in text and "Kid Member" in text
    assert 'id="needs-you"' not in text
    assert "User Member" not in text.split('id="family-today"')[1].split("</section>")[0]


def test_a_notification_channel_that_keeps_failing_is_shown_to_the_parent(client_as, family):
    from notify.models import NotificationChannel
    from notify.services import channel_add

    channel = channel_add(profile=family["user"], address="ntfy://family-topic-4k2", name="Mum's phone")
    NotificationChannel.objects.filter(pk=channel.pk).update(failures=3, last_result="Not sent: no answer")

    section = needs_you(client_as("admin").get(HOME).text)

    assert "to <strong>Mum&#x27;s phone</strong> (ntfy) do not arrive: the last 3 could not be delivered" in section
    assert "Nothing waits for you" not in section and "family-topic-4k2" not in section


def test_last_week_s_csvs_are_one_click_from_home(client_as, family):
    import re
    from html import unescape

    from dashboard.ranges import preset_range
    from tonnysite.clock import family_zone, local_today

    client = client_as("admin")
    links = [unescape(href) for href in re.findall(r'href="([^"]+range=last_week)"', client.get(HOME).text)]
    week = preset_range("last_week", today=local_today(), zone=family_zone())

    assert len(links) == 2
    for link in links:
        response = client.get(link)
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        assert f"{week.first.isoformat()}_to_{week.last.isoformat()}" in response["Content-Disposition"]
