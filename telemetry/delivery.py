"""Push notifications (channel "push": the family admins' phones through the n8n webhook), each sent once."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from telemetry.models import Notification
from telemetry.selectors import setting_value
from telemetry.services import log_system_event

WEBHOOK_SETTING = "notifications.webhook_url"
WEBHOOK_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class DeliveryRound:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def webhook_post(*, url: str, payload: dict[str, Any]) -> None:
    """POST `payload` as JSON to `url`; raise OSError (urllib's errors are OSErrors) unless it answers 2xx."""
    if not url.startswith(("http://", "https://")):
        raise OSError(f"{WEBHOOK_SETTING} must be an http(s) address.")
    body = json.dumps(payload, default=str).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as answer:  # noqa: S310
        if not 200 <= answer.status < 300:
            raise OSError(f"The webhook answered {answer.status}.")


def retry_delay(*, attempt: int) -> timedelta:
    """Back-off after the `attempt`-th failure: 1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** (attempt - 1), 60))


def notifications_deliver_due(*, limit: int = 100, send=webhook_post) -> DeliveryRound:
    """Deliver due push notifications, most important first, each exactly once however many workers run.

    Each one is taken with `SELECT … FOR UPDATE SKIP LOCKED` and kept locked while it is sent, so
    another worker skips it; `sent_at` is written in the same transaction. A failure counts a retry
    and waits (retry_delay); after `max_retries` failures it is given up (metadata.failed) and an
    error event says so. Without a webhook setting nothing is sent and nothing waits less.
    """
    url = setting_value(WEBHOOK_SETTING)
    if not isinstance(url, str) or not url:
        return DeliveryRound()
    sent = failed = given_up = 0
    for _ in range(limit):
        with transaction.atomic():
            due = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(sent_at=None, scheduled_for__lte=timezone.now(), metadata__contains={"channel": "push"})
                .exclude(metadata__contains={"failed": True})
                .order_by(F("priority").desc(nulls_last=True), "scheduled_for", "created_at")
                .select_related("profile")
                .first()
            )
            if due is None:
                break
            try:
                send(url=url, payload=_push_payload(due))
            except OSError as error:
                due.retry_count = (due.retry_count or 0) + 1
                if due.retry_count >= (due.max_retries if due.max_retries is not None else 3):
                    due.metadata = {**(due.metadata or {}), "failed": True, "error": str(error)[:300]}
                    given_up += 1
                    log_system_event(
                        event_type="notification.failed", severity="error", component="worker",
                        message=f"Gave up sending “{due.title or due.notification_type}” after "
                        f"{due.retry_count} tries: {error}",
                        metadata={"notification_id": str(due.pk)}, profile_id=due.profile_id,
                    )  # fmt: skip
                else:
                    due.scheduled_for = timezone.now() + retry_delay(attempt=due.retry_count)
                    failed += 1
                due.save(update_fields=["retry_count", "metadata", "scheduled_for"])
            else:
                due.sent_at = timezone.now()
                due.save(update_fields=["sent_at"])
                sent += 1
    return DeliveryRound(sent=sent, failed=failed, given_up=given_up)


def _push_payload(notification: Notification) -> dict[str, Any]:
    return {
        "id": str(notification.pk),
        "to": notification.profile.name if notification.profile else None,
        "type": notification.notification_type,
        "title": notification.title,
        "message": notification.message,
        "priority": notification.priority,
        "metadata": notification.metadata,
    }
