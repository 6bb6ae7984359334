"""What the admin machinery needs to know about family members, told by the app that owns them.

The machinery (the site, row scoping) is shared by every app's admin, so it imports none of
the apps: the app that owns profiles and roles registers a `MemberDirectory` from its
`AppConfig.ready()`, before any request is served, and the machinery asks `member_directory()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models


@dataclass(frozen=True)
class MemberDirectory:
    """Who a login is in the family and what their role lets them see."""

    # The model of a family member: foreign keys to it offer only the members a viewer may see.
    profile_model: type[models.Model]
    # (profile, role) a signed-in user acts as; (None, None) for someone outside the family.
    profile_and_role_of: Callable[[Any], tuple[models.Model | None, str | None]]
    role_has_admin_access: Callable[[str | None], bool]
    role_sees_every_profile: Callable[[str | None], bool]


_registered: list[MemberDirectory] = []


def member_directory_register(directory: MemberDirectory) -> None:
    """Make `directory` the one the admin machinery asks (called once, from an AppConfig.ready())."""
    _registered[:] = [directory]


def member_directory() -> MemberDirectory:
    """The registered directory; ImproperlyConfigured if no installed app registered one."""
    if not _registered:
        raise ImproperlyConfigured(
            "The family admin needs a member directory: the app that owns profiles registers one with "
            "tonnysite.familyadmin.members.member_directory_register() in its AppConfig.ready()."
        )
    return _registered[0]
