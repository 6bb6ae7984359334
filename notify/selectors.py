"""Reads of the notification channels: a member's own, and those that keep failing."""

from __future__ import annotations

from django.db.models import QuerySet

from notify.models import NotificationChannel


def channels_of(*, profile) -> QuerySet[NotificationChannel]:
    """A member's channels, by name, with their last result (the address stays sealed)."""
    return NotificationChannel.objects.filter(profile=profile).order_by("name")


def channels_failing() -> QuerySet[NotificationChannel]:
    """Channels whose last delivery was given up on, for the home page."""
    return NotificationChannel.objects.filter(failures__gt=0).select_related("profile").order_by("profile__name")
