"""Writes of the notification channels, and telling members on their channels.

`notifications_push` is the one way to tell a member on their phone: it queues the notification
(`notification_queue`, channel "push": the family webhook sends it too, if set) and, in the same
transaction, one delivery for each of the member's channels that is on and takes that kind of
message; the worker sends them (notify.delivery). Nothing is sent while a page or the API waits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notify.delivery import SendResult, address_problem, address_service, channel_send
from notify.models import KIND_OF_TYPE, Delivery, NotificationChannel, NotificationKind
from profiles.models import UserProfile
from telemetry.models import Notification
from tonnysite.markers import KEEP
from tonnysite.safe_input import text_problem
from tonnysite.secret_box import SecretUnreadable, secret_open, secret_seal

ADDRESS_LENGTH = 2000
NAME_LENGTH = 100


def _name_check(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_LENGTH or text_problem(name):
        raise ValidationError({"name": f"A channel's name is 1 to {NAME_LENGTH} characters of plain text."})
    return name


def _address_check(address: str) -> str:
    address = address.strip()
    if not address or len(address) > ADDRESS_LENGTH or text_problem(address):
        raise ValidationError({"address": f"An address is 1 to {ADDRESS_LENGTH} characters of plain text."})
    if problem := address_problem(address):
        raise ValidationError({"address": problem})
    return address


def _kinds_check(kinds: Iterable[str]) -> set[str]:
    kinds = set(kinds)
    if unknown := kinds - set(NotificationKind.values):
        raise ValidationError({"kinds": f"Unknown kinds: {', '.join(sorted(unknown))}."})
    return kinds


def channel_add(
    *, profile: UserProfile, address: str, name: str = "", kinds: Iterable[str] = NotificationKind.values
) -> NotificationChannel:
    """Add a channel (an Apprise address) for `profile`; the address is sealed and never shown again."""
    address = _address_check(address)
    service = address_service(address)
    name = _name_check(name or service)
    kinds = _kinds_check(kinds)
    channel = NotificationChannel(
        profile=profile,
        name=name,
        service=service,
        address=secret_seal(address),
        **{f"sends_{kind}": kind in kinds for kind in NotificationKind.values},
    )
    return _saved(channel)


def channel_update(
    *, channel: NotificationChannel, name=KEEP, enabled=KEEP, kinds=KEEP, address=KEEP
) -> NotificationChannel:
    """Rename, switch on or off, choose what it is sent, or give it a new address."""
    if name is not KEEP:
        channel.name = _name_check(name)
    if enabled is not KEEP:
        channel.enabled = bool(enabled)
        if channel.enabled:
            channel.failures = 0
    if kinds is not KEEP:
        kinds = _kinds_check(kinds)
        for kind in NotificationKind.values:
            setattr(channel, f"sends_{kind}", kind in kinds)
    if address is not KEEP:
        address = _address_check(address)
        channel.address, channel.service, channel.failures = secret_seal(address), address_service(address), 0
    return _saved(channel)


def _saved(channel: NotificationChannel) -> NotificationChannel:
    taken = NotificationChannel.objects.filter(profile=channel.profile, name=channel.name).exclude(pk=channel.pk)
    if taken.exists():
        raise ValidationError({"name": f"{channel.profile.name} has a channel called “{channel.name}” already."})
    channel.save()
    return channel


def channel_remove(*, channel: NotificationChannel) -> None:
    """Remove a channel and what waits to be sent to it."""
    channel.delete()


def channel_test(*, channel: NotificationChannel, send=channel_send) -> SendResult:
    """Send a test message now and say what the service answered (the one send a page waits for:
    the parent asked for it and reads the answer)."""
    try:
        address = secret_open(channel.address)
    except SecretUnreadable as error:
        result = SendResult(False, f"Not sent: {error}")
    else:
        result = send(
            address=address,
            title="TonnyTray: a test",
            body=f"This is a test from TonnyTray Family Admin for “{channel.name}”. It works.",
        )
    channel.last_result = result.words
    if result.sent:
        channel.failures, channel.last_sent_at = 0, timezone.now()
    channel.save(update_fields=["last_result", "failures", "last_sent_at"])
    return result


@transaction.atomic
def notifications_push(
    *,
    profiles: Iterable[UserProfile],
    notification_type: str,
    title: str,
    message: str,
    priority: int = 5,
    metadata: dict | None = None,
) -> list[Notification]:
    """Tell each of `profiles` on their phone: a queued push notification each, and a delivery to each of
    their channels that is on and takes this kind of message (KIND_OF_TYPE)."""
    profiles = list(profiles)
    notifications = Notification.objects.bulk_create(
        Notification(
            profile=profile,
            notification_type=notification_type,
            title=title[:255],
            message=message,
            priority=priority,
            metadata={**(metadata or {}), "channel": "push"},
        )
        for profile in profiles
    )
    kind = KIND_OF_TYPE.get(notification_type)
    channels = NotificationChannel.objects.filter(profile__in=profiles, enabled=True)
    if kind is not None:
        channels = channels.filter(**{f"sends_{kind}": True})
    by_profile: dict = {}
    for channel in channels:
        by_profile.setdefault(channel.profile_id, []).append(channel)
    Delivery.objects.bulk_create(
        Delivery(notification=notification, channel=channel)
        for notification in notifications
        for channel in by_profile.get(notification.profile_id, [])
    )
    return notifications
