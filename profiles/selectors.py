"""Reads for family members: who a login is, what they may see."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from profiles.models import PermissionLevel, UserProfile
from tonnysite.safe_input import text_problem


def profile_of_user(user) -> UserProfile | None:
    """The profile a signed-in user acts as, or None (anonymous, or a login without a profile)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return UserProfile.objects.filter(login__user_id=user.pk).first()


def profile_and_role_of_user(user) -> tuple[UserProfile | None, str | None]:
    """The profile a signed-in user acts as and its role.

    A superuser without a profile (made by `createsuperuser`) counts as a family admin;
    anyone else without a profile has no role.
    """
    profile = profile_of_user(user)
    if profile is not None:
        return profile, profile.permission_level
    if getattr(user, "is_superuser", False) and user.is_active:
        return None, PermissionLevel.ADMIN
    return None, None


def member_by_name_or_id(text: str) -> UserProfile | None:
    """The member named `text` (any case) or with the id `text`, or None (commands take either)."""
    text = text.strip()
    if not text or text_problem(text):
        return None
    try:
        condition = Q(pk=uuid.UUID(text))
    except ValueError:
        condition = Q(name__iexact=text)
    return UserProfile.objects.filter(condition).first()


def family_admins() -> QuerySet[UserProfile]:
    """The active family admins: who is told of a child's request, an alert or the weekly report."""
    return UserProfile.objects.filter(permission_level=PermissionLevel.ADMIN, is_active=True)
