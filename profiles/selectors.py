"""Reads for family members: who a login is, what they may see."""

from __future__ import annotations

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from profiles.models import PermissionLevel, UserProfile


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


def profiles_with_today_command_count(queryset: QuerySet[UserProfile]) -> QuerySet[UserProfile]:
    """Annotate `today_command_count` from today's usage_statistics row (one subquery, no N+1)."""
    from activity.models import UsageStatistic

    today = UsageStatistic.objects.filter(profile_id=OuterRef("pk"), date=timezone.localdate()).values("command_count")[
        :1
    ]
    return queryset.annotate(
        today_command_count=Coalesce(Subquery(today, output_field=IntegerField()), Value(0)),
    )
