"""Notifications: pushed by the worker by priority, each once even with two workers, retried with
back-off; fetched and acknowledged by the tray."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from notify.tests.receivers import JsonReceiver
from telemetry.delivery import notifications_deliver_due, retry_delay
from telemetry.models import Notification, Setting, SystemEvent
from telemetry.tests.factories import NotificationFactory


@pytest.fixture
def receiver(db):
    hook = JsonReceiver()
    Setting.objects.create(key="notifications.webhook_url", value=hook.url, category="notifications")
    yield hook
    hook.close()


def push(profile, **values):
    return NotificationFactory(profile=profile, metadata={"channel": "push"}, **values)


@pytest.mark.django_db
def test_due_notifications_are_sent_most_important_first(household, receiver):
    low = push(household.parent, priority=2, title="low")
    high = push(household.parent, priority=9, title="high")
    push(household.parent, priority=9, title="later", scheduled_for=timezone.now() + timedelta(hours=1))
    NotificationFactory(profile=household.kid, metadata={"channel": "tray"})  # the tray fetches these

    result = notifications_deliver_due()

    assert result.sent == 2
    assert [message["title"] for message in receiver.received] == ["high", "low"]
    assert Notification.objects.filter(pk__in=[low.pk, high.pk], sent_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_a_failure_is_retried_with_back_off_then_given_up(household, receiver):
    receiver.status = 500
    failing = push(household.parent, max_retries=2)

    first = notifications_deliver_due()
    failing.refresh_from_db()
    waited = failing.scheduled_for - timezone.now()
    Notification.objects.filter(pk=failing.pk).update(scheduled_for=timezone.now())
    second = notifications_deliver_due()
    failing.refresh_from_db()

    assert (first.failed, second.given_up) == (1, 1)
    assert timedelta(seconds=50) < waited <= retry_delay(attempt=1)
    assert failing.retry_count == 2 and failing.sent_at is None and failing.metadata["failed"] is True
    assert SystemEvent.objects.filter(event_type="notification.failed").count() == 1
    assert notifications_deliver_due().sent == 0 and len(receiver.received) == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_notification_exactly_once(household, receiver):
    for n in range(30):
        push(household.parent, title=f"n{n}")
    results = []

    def worker():
        results.append(notifications_deliver_due())
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    titles = [message["title"] for message in receiver.received]
    assert sorted(titles) == sorted(f"n{n}" for n in range(30))
    assert sum(result.sent for result in results) == 30
    assert not Notification.objects.filter(sent_at=None).exists()


@pytest.mark.django_db
def test_without_a_webhook_nothing_is_sent_or_counted(household):
    push(household.parent)

    assert notifications_deliver_due().sent == 0
    assert Notification.objects.get().retry_count == 0


@pytest.mark.django_db
def test_the_tray_fetches_and_acknowledges_a_members_notifications(household):
    first = NotificationFactory(profile=household.kid, priority=3, metadata={"channel": "tray"})
    second = NotificationFactory(profile=household.kid, priority=8)
    NotificationFactory(profile=household.teen)
    push(household.kid)

    fetched = household.api.get("/notifications", {"member": household.kid.pk})
    acked = household.api.post("/notifications/ack", {"member": str(household.kid.pk), "ids": [str(first.pk)]})
    left = household.api.get("/notifications", {"member": household.kid.pk})

    assert [n["id"] for n in fetched.json()] == [str(second.pk), str(first.pk)]
    assert acked.json() == {"acknowledged": 1}
    assert [n["id"] for n in left.json()] == [str(second.pk)]


@pytest.mark.django_db
def test_a_device_limited_to_the_kid_cannot_read_anothers_notifications(household):
    assert household.kid_api.get("/notifications", {"member": household.teen.pk}).status_code == 403
    assert (
        household.kid_api.post(
            "/notifications/ack", {"member": str(household.teen.pk), "ids": [str(household.teen.pk)]}
        ).status_code
        == 403
    )
