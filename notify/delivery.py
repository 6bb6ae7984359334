"""Sending to a channel with Apprise, and the worker's round over the deliveries that are due.

Each delivery is taken with `SELECT … FOR UPDATE SKIP LOCKED` and kept locked while it is sent,
so a second worker skips it and a notification reaches a channel once. A failure waits (1, 2, 4 …
minutes, at most an hour) and is retried; after the notification's retry limit it is given up,
the channel counts a failure (shown on the home page) and an error event says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import apprise
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from notify.models import Delivery, DeliveryStatus
from telemetry.delivery import retry_delay  # one back-off for the webhook and the channels
from telemetry.services import log_system_event
from tonnysite.secret_box import SecretUnreadable, secret_open

SEND_TIMEOUT_SECONDS = 15
RESULT_LENGTH = 300


@dataclass(frozen=True)
class SendResult:
    sent: bool
    words: str  # what the service answered, in words, without the address's secrets


@dataclass(frozen=True)
class DeliveryRound:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def address_problem(address: str) -> str | None:
    """Why Apprise cannot use `address` (in words), or None."""
    if apprise.Apprise.instantiate(address) is None:
        return (
            "Apprise does not know this address. It starts with the service, such as ntfy://topic, "
            "tgram://bot-token/chat-id, pover://user@token, mailto://user:password@example.com or json://host/path."
        )
    return None


def address_service(address: str) -> str:
    """The service an address is for, in its own name ("ntfy", "Telegram", "E-Mail")."""
    plugin = apprise.Apprise.instantiate(address)
    return str(getattr(plugin, "service_name", "") or address.split(":", 1)[0])[:60]


def _masked(text: str, address: str) -> str:
    """`text` without any part of `address` that could be a secret (user, password, token, topic, host path)."""
    for part in sorted(set(re.split(r"[/:@?&=#,+]+", address)), key=len, reverse=True):
        if len(part) >= 4 and part.lower() not in {"http", "https", "json", "mailto", "localhost"}:
            text = text.replace(part, "…")
    return text


def channel_send(*, address: str, title: str, body: str) -> SendResult:
    """Send one message to one Apprise address; never raises for the service's sake."""
    sender = apprise.Apprise()
    if not sender.add(address):
        return SendResult(False, "Not sent: Apprise does not know this address.")
    logs: list[str] = []
    result = sender.notify(
        body=body,
        title=title,
        timeout=SEND_TIMEOUT_SECONDS,
        log_callback=lambda entry, _plugin: (
            logs.append(entry.message) if entry.level in ("WARNING", "ERROR", "CRITICAL") else None
        ),
    )
    if bool(result):
        return SendResult(True, "Sent: the service accepted it.")
    why = logs[-1] if logs else "the service did not accept it"
    return SendResult(False, _masked(f"Not sent: {why}", address)[:RESULT_LENGTH])


def deliveries_send_due(*, limit: int = 100, send=channel_send) -> DeliveryRound:
    """Send the deliveries that are due, most important first, each exactly once however many workers run."""
    sent = failed = given_up = 0
    for _ in range(limit):
        with transaction.atomic():
            due = (
                Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status=DeliveryStatus.WAITING, next_attempt_at__lte=timezone.now())
                .order_by(F("notification__priority").desc(nulls_last=True), "next_attempt_at", "id")
                .select_related("notification", "channel__profile")
                .first()
            )
            if due is None:
                break
            outcome = _deliver(due, send)
        sent += outcome == "sent"
        failed += outcome == "failed"
        given_up += outcome == "given_up"
    return DeliveryRound(sent=sent, failed=failed, given_up=given_up)


def _deliver(delivery: Delivery, send) -> str:
    channel, notification = delivery.channel, delivery.notification
    now = timezone.now()
    if not channel.enabled:
        result = SendResult(False, "Not sent: the channel is switched off.")
    else:
        try:
            address = secret_open(channel.address)
        except SecretUnreadable as error:
            result = SendResult(False, f"Not sent: {error}")
        else:
            result = send(address=address, title=notification.title or "TonnyTray", body=notification.message)
    delivery.attempts += 1
    delivery.result = result.words[:RESULT_LENGTH]
    channel.last_result = delivery.result
    if result.sent:
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, now
        channel.failures, channel.last_sent_at = 0, now
        delivery.save(update_fields=["attempts", "result", "status", "sent_at"])
        channel.save(update_fields=["failures", "last_sent_at", "last_result"])
        return "sent"
    limit = notification.max_retries if notification.max_retries is not None else 3
    if delivery.attempts >= max(limit, 1) or not channel.enabled:
        delivery.status = DeliveryStatus.GIVEN_UP
        channel.failures += 1
        delivery.save(update_fields=["attempts", "result", "status"])
        channel.save(update_fields=["failures", "last_result"])
        log_system_event(
            event_type="notification.failed",
            severity="error",
            component="worker",
            message=f"Gave up sending “{notification.title or notification.notification_type}” to "
            f"{channel.profile.name}'s channel “{channel.name}” after {delivery.attempts} tries: {delivery.result}",
            metadata={"notification_id": str(notification.pk), "channel_id": channel.pk},
            profile_id=channel.profile_id,
        )
        return "given_up"
    delivery.next_attempt_at = now + retry_delay(attempt=delivery.attempts)
    delivery.save(update_fields=["attempts", "result", "next_attempt_at"])
    channel.save(update_fields=["last_result"])
    return "failed"
