"""The Notifications page: a member's own channels, added, tested, switched off and removed; the address never shown."""

from __future__ import annotations

from html import unescape

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from notify.models import NotificationChannel
from notify.services import channel_add

PAGE = "admin:notification_channels"
SECRET = "s3cr3t-t0ken"


def client_as(username: str) -> Client:
    client = Client()
    user = get_user_model().objects.get(username=username)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_parent_adds_a_channel_sends_a_test_and_reads_the_answer(family, webhook):
    client = client_as("admin")

    added = client.post(
        reverse(PAGE), {"_action": "add", "name": "Dad's phone", "address": webhook.address, "kinds": ["requests"]}
    )
    channel = NotificationChannel.objects.get()
    tested = client.post(reverse(PAGE), {"_action": "test", "channel": channel.pk}, follow=True)

    assert added.status_code == 302
    assert (channel.profile, channel.name, channel.service) == (family["admin"], "Dad's phone", "JSON")
    assert (channel.sends_requests, channel.sends_alerts, channel.sends_reports) == (True, False, False)
    assert "“Dad's phone”: Sent: the service accepted it." in unescape(tested.text)
    assert webhook.received[0]["title"] == "TonnyTray: a test"
    assert SECRET not in tested.text and "127.0.0.1" not in tested.text


def test_a_failing_test_says_why_in_words_without_the_address(family, webhook):
    webhook.status = 500
    channel = channel_add(profile=family["admin"], address=webhook.address, name="Dad's phone")

    page = client_as("admin").post(reverse(PAGE), {"_action": "test", "channel": channel.pk}, follow=True)

    assert "Not sent: Failed to send JSON POST notification: Internal server error., error=500." in unescape(page.text)
    assert SECRET not in page.text


def test_a_bad_address_is_refused_on_the_form_and_not_shown_back(family):
    page = client_as("user").post(reverse(PAGE), {"_action": "add", "name": "x", "address": f"nope://{SECRET}"})

    assert page.status_code == 200
    assert "Apprise does not know this address" in page.text and SECRET not in page.text
    assert not NotificationChannel.objects.exists()


def test_switch_off_on_and_remove(family, webhook):
    channel = channel_add(profile=family["user"], address=webhook.address, name="Mum's phone")
    client = client_as("user")

    client.post(reverse(PAGE), {"_action": "off", "channel": channel.pk})
    channel.refresh_from_db()
    off = channel.enabled
    client.post(reverse(PAGE), {"_action": "on", "channel": channel.pk})
    channel.refresh_from_db()
    on = channel.enabled
    client.post(reverse(PAGE), {"_action": "remove", "channel": channel.pk})

    assert (off, on) == (False, True)
    assert not NotificationChannel.objects.exists()


def test_a_member_cannot_touch_another_member_s_channel_and_a_kid_has_no_page(family, webhook):
    dads = channel_add(profile=family["admin"], address=webhook.address, name="Dad's pager")

    other = client_as("user").post(reverse(PAGE), {"_action": "remove", "channel": dads.pk})
    listed = client_as("user").get(reverse(PAGE))

    assert other.status_code == 404 and NotificationChannel.objects.filter(pk=dads.pk).exists()
    assert "Dad's pager" not in unescape(listed.text)
    assert client_as("kid").get(reverse(PAGE)).status_code == 403


def test_a_channel_number_that_is_not_one_answers_400(family):
    page = client_as("admin").post(reverse(PAGE), {"_action": "test", "channel": "9" * 40})

    assert page.status_code == 400
