"""Telling members on their channels: real deliveries to local receivers, once, retried, given up."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from history.models import Change
from notify.delivery import deliveries_send_due, retry_delay
from notify.models import Delivery, DeliveryStatus, NotificationChannel
from notify.services import channel_add, channel_test, notifications_push
from parental.services import parent_request_create, parent_request_decide
from telemetry.models import SystemEvent


def _push(profiles, text="Alex asks for more Tonny time", kind="parent_request"):
    return notifications_push(profiles=profiles, notification_type=kind, title="A request", message=text, priority=8)


def test_a_request_reaches_the_json_webhook_and_the_mailbox_once(family, webhook, smtp):
    dad = family["admin"]
    channel_add(profile=dad, address=webhook.address, name="Dad's phone")
    channel_add(profile=dad, address=smtp.address, name="Dad's mail")

    _push([dad])
    first = deliveries_send_due()
    again = deliveries_send_due()

    assert (first.sent, again.sent) == (2, 0)
    assert webhook.messages == ["Alex asks for more Tonny time"]
    (mail,) = smtp.received
    assert mail["Subject"] == "A request" and "Alex asks for more Tonny time" in mail.get_body().get_content()
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_channel_gets_only_the_kinds_it_takes_and_nothing_while_off(family, webhook):
    dad = family["admin"]
    alerts_only = channel_add(profile=dad, address=webhook.address, name="alerts", kinds=["alerts"])
    off = channel_add(profile=dad, address=webhook.address, name="off")
    off.enabled = False
    off.save()

    _push([dad])
    _push([dad], text="7 failed sign-ins for mom", kind="alert")
    deliveries_send_due()

    assert webhook.messages == ["7 failed sign-ins for mom"]
    assert Delivery.objects.get().channel == alerts_only


def test_a_failure_is_retried_with_back_off_then_given_up_and_the_channel_marked(family, webhook):
    webhook.status = 500
    dad = family["admin"]
    channel = channel_add(profile=dad, address=webhook.address, name="Dad's phone")
    (notification,) = _push([dad])
    notification.max_retries = 2
    notification.save()

    first = deliveries_send_due()
    delivery = Delivery.objects.get()
    waited = delivery.next_attempt_at - timezone.now()
    Delivery.objects.update(next_attempt_at=timezone.now())
    second = deliveries_send_due()
    delivery.refresh_from_db()
    channel.refresh_from_db()

    assert (first.failed, second.given_up) == (1, 1)
    assert timedelta(seconds=50) < waited <= retry_delay(attempt=1)
    assert delivery.status == DeliveryStatus.GIVEN_UP and delivery.attempts == 2
    assert delivery.result.startswith("Not sent")
    assert channel.failing and channel.failures == 1
    event = SystemEvent.objects.get(event_type="notification.failed")
    assert "Dad's phone" in event.message
    assert deliveries_send_due().sent == 0 and len(webhook.received) == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_deliver_each_message_exactly_once(webhook):
    from tests.helpers import family_with_logins

    dad = family_with_logins("race-password-1")["admin"]
    channel_add(profile=dad, address=webhook.address, name="Dad's phone")
    for n in range(20):
        _push([dad], text=f"n{n}")
    results = []

    def worker():
        results.append(deliveries_send_due())
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(webhook.messages) == sorted(f"n{n}" for n in range(20))
    assert sum(result.sent for result in results) == 20


def test_a_child_s_request_tells_every_family_admin_and_an_answer_tells_the_others(family, webhook, smtp):
    from profiles.services import family_member_create

    dad, kid = family["admin"], family["kid"]
    mum = family_member_create(name="Mum", permission_level="admin")
    kid.usage_limits = {"daily_limit_minutes": 0}
    kid.save()
    channel_add(profile=dad, address=webhook.address, name="Dad's phone")
    channel_add(profile=mum, address=smtp.address, name="Mum's mail")

    request, _ = parent_request_create(profile=kid, kind="more_time", message="Homework!")
    deliveries_send_due()
    parent_request_decide(request=request, approve=True, length="15m", decided_by=dad)
    deliveries_send_due()

    (asked,) = webhook.messages  # Dad answered: he is not told again
    assert asked.startswith("Kid Member asks for more Tonny time") and "“Homework!”" in asked
    assert "/admin/#parent-requests" in asked
    told = [mail.get_body().get_content() for mail in smtp.received]
    assert len(told) == 2 and "Kid Member asks for more Tonny time" in told[0]
    assert "Admin Member said yes until" in told[1] and "Nothing more to do" in told[1]


def test_the_address_is_sealed_and_never_in_the_history_the_events_or_the_logs(family, webhook, caplog):
    webhook.status = 500
    dad = family["admin"]
    secret = "hook-s3cr3t-t0ken"
    with caplog.at_level(logging.DEBUG):
        channel = channel_add(profile=dad, address=webhook.address, name="Dad's phone")
        (notification,) = _push([dad])
        notification.max_retries = 1
        notification.save()
        deliveries_send_due()
        tested = channel_test(channel=channel)

    stored = NotificationChannel.objects.values_list("address", flat=True).get()
    assert secret not in stored and "127.0.0.1" not in stored
    (added,) = Change.objects.filter(table_name="notification_channels")
    assert added.changes["address"] == {"hidden": True, "after": True}
    texts = [
        *caplog.messages,
        *SystemEvent.objects.values_list("message", flat=True),
        *Delivery.objects.values_list("result", flat=True),
        tested.words,
        NotificationChannel.objects.get().last_result,
        str(list(Change.objects.values_list("changes", flat=True))),
    ]
    assert texts and not [text for text in texts if secret in text]


def test_an_address_apprise_does_not_know_is_refused_in_words(family):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        channel_add(profile=family["admin"], address="nonsense://nowhere")

    assert "Apprise does not know this address" in str(refused.value)
    assert not NotificationChannel.objects.exists()


def test_the_commands_add_a_channel_and_deliver_what_is_due(family, webhook, capsys):
    call_command("notification_channel_add", "admin", webhook.address, "--name", "Dad's phone")
    _push([family["admin"]])
    call_command("notifications_deliver")

    out = capsys.readouterr().out
    assert "Added “Dad's phone” (JSON) for Admin Member." in out
    assert "Channels: 1 sent, 0 to retry, 0 given up." in out
    assert webhook.messages == ["Alex asks for more Tonny time"] and "s3cr3t" not in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nobody", "ntfy://topic"], "No family member signs in as “nobody”."),
        (["admin", "nonsense://x"], "Apprise does not know this address."),
        (["admin", "ntfy://topic", "--name", "bad\x00name"], "plain text"),
    ],
)
def test_the_add_command_refuses_bad_input_with_exit_2(family, args, says):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as refused:
        call_command("notification_channel_add", *args)

    assert refused.value.returncode == 2 and says in str(refused.value)
