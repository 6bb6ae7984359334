"""Reads of the tray API: what a device sees (members, quick actions, settings, notifications)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from profiles.models import QuickAction, UserProfile
from telemetry.models import Notification, Setting
from trayapi.models import DeviceToken
from trayapi.services import device_member, device_member_ids


def members_of_device(*, device: DeviceToken) -> list[dict[str, Any]]:
    """The members this device may act for (every member unless it is limited), by name."""
    allowed = device_member_ids(device)
    rows = UserProfile.objects.order_by("name")
    if allowed is not None:
        rows = rows.filter(pk__in=allowed)
    return [
        {"id": str(row.pk), "name": row.name, "permission_level": row.permission_level, "is_active": row.is_active}
        for row in rows
    ]


def quick_actions_enabled() -> list[dict[str, Any]]:
    """The enabled quick actions, by id."""
    return [
        {
            "id": row.id, "display_name": row.display_name, "icon": row.icon, "command_sequence": row.command_sequence,
            "description": row.description, "required_permission": row.required_permission, "metadata": row.metadata,
        }
        for row in QuickAction.objects.filter(is_enabled=True).order_by("id")
    ]  # fmt: skip


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
