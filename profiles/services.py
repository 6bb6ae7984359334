"""Writes for family members: profiles, PINs, logins and quick actions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import bcrypt
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from profiles.models import UserProfile

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8


def pin_hash(pin: str) -> str:
    """Return the bcrypt hash ($2b$, modular-crypt form) of a parental-control PIN."""
    if not (pin.isdigit() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise ValidationError(f"A PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits.")
    return bcrypt.hashpw(pin.encode(), bcrypt.gensalt()).decode()


def pin_set(*, profile: UserProfile, pin: str | None) -> None:
    """Set (or with None, clear) a profile's PIN; only the bcrypt hash is stored."""
    profile.pin_hash = None if pin is None else pin_hash(pin)
    profile.save(update_fields=["pin_hash"])


def pin_verify(*, profile: UserProfile, pin: str) -> bool:
    """Whether `pin` matches the profile's stored hash (False when it has none)."""
    if not profile.pin_hash:
        return False
    return bcrypt.checkpw(pin.encode(), profile.pin_hash.encode())


@dataclass(frozen=True)
class FamilyAdminLogin:
    username: str
    password: str | None  # None when the login already existed


@transaction.atomic
def family_admin_ensure(*, username: str = "parent", password: str | None = None) -> FamilyAdminLogin:
    """Create the first family-admin login unless one exists.

    Without a password a random one is made, which the caller shows once.
    """
    user_model = get_user_model()
    existing = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if existing is not None:
        return FamilyAdminLogin(username=existing.get_username(), password=None)
    password = password or secrets.token_urlsafe(12)
    user_model.objects.create_superuser(username=username, password=password, email="")
    return FamilyAdminLogin(username=username, password=password)
