"""Notifications in the admin: the system's outbox. A family admin sends them again or deletes them
through telemetry.services, and the change history names who; nobody adds or edits one by hand."""

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from history.models import Change
from telemetry.models import Notification
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "telemetry.notification"


def send_again(client, *notifications):
    data = {"action": "retry_selected", "_selected_action": [str(n.pk) for n in notifications], "index": "0"}
    return client.post(url(NOTIFICATIONS, "changelist"), data)


def given_up(notification):
    Notification.objects.filter(pk=notification.pk).update(
        retry_count=3, metadata={"channel": "push", "failed": True, "error": "webhook down"}
    )
    notification.refresh_from_db()
    return notification


def test_a_family_admin_sends_a_given_up_notification_again(client_as, rows):
    notification = given_up(rows["other"]["notification"])

    response = send_again(client_as("admin"), notification)

    notification.refresh_from_db()
    assert response.status_code == 302
    assert (notification.retry_count, notification.metadata) == (0, {"channel": "push"})


def test_sending_again_is_in_the_change_history_under_the_admins_login(client_as, rows):
    notification = given_up(rows["other"]["notification"])

    send_again(client_as("admin"), notification)

    entry = Change.objects.filter(table_name="notification_queue", row_id=str(notification.pk)).latest("id")
    assert (entry.actor, entry.via, entry.action) == ("admin", "admin", "update")
    assert entry.changes["retry_count"] == {"before": 3, "after": 0}


def test_sending_again_says_which_were_sent_already(client_as, rows):
    client = client_as("admin")
    waiting, sent = rows["other"]["notification"], rows["kid"]["notification"]
    Notification.objects.filter(pk=sent.pk).update(sent_at=timezone.now())

    response = send_again(client, waiting, sent)

    page = client.get(response["Location"]).text
    assert "1 notification(s) will be sent again from now." in page
    assert "1 notification(s) were sent already." in page


def test_a_member_cannot_send_their_notification_again(client_as, rows):
    notification = given_up(rows["user"]["notification"])

    send_again(client_as("user"), notification)

    notification.refresh_from_db()
    assert notification.metadata["failed"] is True


def test_nobody_adds_a_notification_by_hand(client_as, family):
    data = {"profile": str(family["kid"].pk), "notification_type": "note", "message": "Dinner!", "priority": "5"}

    response = client_as("admin").post(url(NOTIFICATIONS, "add"), data)

    assert response.status_code == 403
    assert not Notification.objects.filter(notification_type="note").exists()


def test_nobody_edits_a_notification_in_its_form(client_as, rows):
    notification = rows["other"]["notification"]
    data = {"profile": str(notification.profile_id), "notification_type": "edited", "message": "edited",
            "priority": "9", "retry_count": "0", "max_retries": "3", "metadata": "{}", "_save": "Save"}  # fmt: skip

    response = client_as("admin").post(url(NOTIFICATIONS, "change", notification.pk), data)

    notification.refresh_from_db()
    assert response.status_code == 403
    assert (notification.notification_type, notification.priority) == ("usage_limit", 5)


def test_deleting_a_notification_takes_it_out_of_the_queue_and_is_in_the_admin_log(client_as, rows):
    notification = rows["other"]["notification"]

    response = client_as("admin").post(url(NOTIFICATIONS, "delete", notification.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Notification.objects.filter(pk=notification.pk).exists()
    entry = LogEntry.objects.get(object_id=str(notification.pk))
    assert entry.is_deletion() and entry.user.username == "admin"


def test_a_member_cannot_delete_their_notification(client_as, rows):
    notification = rows["user"]["notification"]

    response = client_as("user").post(url(NOTIFICATIONS, "delete", notification.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()
