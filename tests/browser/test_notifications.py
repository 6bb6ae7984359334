"""A parent connects their phone from the home page: adds a channel, sends a test and reads the answer."""

import pytest

from notify.models import NotificationChannel
from notify.tests.receivers import JsonReceiver
from profiles.models import PermissionLevel
from profiles.services import family_member_create
from tests.browser.pages import admin_sign_in

pytestmark = pytest.mark.browser

PASSWORD = "notify-browser-pass-3e9b"


@pytest.fixture
def receiver():
    hook = JsonReceiver()
    yield hook
    hook.close()


def test_a_parent_adds_a_channel_and_sends_a_test_from_the_home_page(page, receiver):
    family_member_create(name="Dad", permission_level=PermissionLevel.ADMIN, username="dad", password=PASSWORD)
    admin_sign_in(page, username="dad", password=PASSWORD)

    page.click("text=Your notifications")
    page.fill("#id_name", "Dad's phone")
    page.fill("#id_address", receiver.address)
    page.uncheck("input[name=kinds][value=reports]")
    page.click("button[name=_action][value=add]")
    page.wait_for_load_state()
    page.click("#channels button[name=_action][value=test]")
    page.wait_for_load_state()

    assert "“Dad's phone”: Sent: the service accepted it." in page.inner_text(".messagelist")
    assert receiver.received and receiver.received[0]["title"] == "TonnyTray: a test"
    channel = NotificationChannel.objects.get()
    assert (channel.sends_requests, channel.sends_alerts, channel.sends_reports) == (True, True, False)
    assert "s3cr3t" not in page.content() and "127.0.0.1" not in page.inner_text("#content")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
