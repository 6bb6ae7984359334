"""Reads of the tray API: which members a device acts for, and what it sees (members, quick actions, settings,
notifications, a request's answer)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from parental.models import ParentRequest
from profiles.models import UserProfile
from quickactions.models import QuickAction
from telemetry.models import Notification, Setting
from trayapi.models import DeviceToken


def device_member_ids(device: DeviceToken) -> set[uuid.UUID] | None:
    """The members a device may act for, or None for every member."""
    if not hasattr(device, "_member_ids"):
        ids = set(device.members.values_list("pk", flat=True))
        device._member_ids = ids or None
    return device._member_ids


def device_acts_for(device: DeviceToken, profile_id: uuid.UUID | None) -> bool:
    """Whether the device may act for the member `profile_id` (None: no member, only for an unlimited device)."""
    allowed = device_member_ids(device)
    return allowed is None or profile_id in allowed


def not_your_member(device: DeviceToken, where: str = "member") -> PermissionDenied:
    """The one answer for a member id that does not exist and one the device may not act for, so the two
    cannot be told apart."""
    return PermissionDenied(f"{where}: the device “{device.name}” acts for no family member with this id.")


def device_member(*, device: DeviceToken, member_id: uuid.UUID | None) -> UserProfile | None:
    """The member `member_id` if this device may act for them; None for no member, which only a device
    that acts for every member may send. An unknown id and a member of another device get one answer."""
    if member_id is None:
        if device_member_ids(device) is not None:
            raise PermissionDenied(f"member: the device “{device.name}” acts only for its members; name one.")
        return None
    profile = UserProfile.objects.filter(pk=member_id).first()
    if profile is None or not device_acts_for(device, profile.pk):
        raise not_your_member(device)
    return profile


def device_row_check(*, device: DeviceToken, profile_id: uuid.UUID | None, missing: Exception) -> None:
    """Raise `missing` (the row's "not found") unless the device may act for the row's member: a row of
    another member, or of no member for a limited device, is answered as if it did not exist."""
    if not device_acts_for(device, profile_id):
        raise missing


def members_of_device(*, device: DeviceToken) -> QuerySet[UserProfile]:
    """The members this device may act for (every member unless it is limited), by name."""
    allowed = device_member_ids(device)
    rows = UserProfile.objects.order_by("name")
    return rows if allowed is None else rows.filter(pk__in=allowed)


def quick_actions_enabled() -> QuerySet[QuickAction]:
    """The enabled quick actions, by id."""
    return QuickAction.objects.filter(is_enabled=True).order_by("id")


def settings_for_device(*, device: DeviceToken) -> dict[str, Any]:
    """Every setting that is not sensitive, plus the sensitive ones this device may read."""
    visible = Q(is_sensitive=False) | Q(is_sensitive__isnull=True) | Q(key__in=device.sensitive_settings or [])
    return dict(Setting.objects.filter(visible).order_by("key").values_list("key", "value"))


def tray_notifications_pending(*, device: DeviceToken, member_id) -> list[Notification]:
    """A member's notifications for the tray that are due and not yet acknowledged, most important first."""
    profile = device_member(device=device, member_id=member_id)
    return list(
        Notification.objects.filter(profile=profile, sent_at=None, scheduled_for__lte=timezone.now())
        .exclude(metadata__contains={"channel": "push"})
        .order_by(F("priority").desc(nulls_last=True), "scheduled_for")[:100]
    )


def parent_request_for_device(*, device: DeviceToken, request_id: uuid.UUID) -> ParentRequest:
    """A request to a parent of a member this device acts for; another member's is answered as missing."""
    asked = ParentRequest.objects.filter(pk=request_id).first()
    if asked is None or not device_acts_for(device, asked.profile_id):
        raise ParentRequest.DoesNotExist(f"No request of a member this device acts for has the id {request_id}.")
    return asked
