"""Writes for family members: profiles, PINs, logins and quick actions."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import bcrypt
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import JSONField, QuerySet
from django.views.decorators.debug import sensitive_variables

from profiles import roles
from profiles.models import FamilyLogin, PermissionLevel, UserProfile
from tonnysite.json_values import json_storable_check
from tonnysite.safe_input import text_check

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8
# Only ASCII 0-9: str.isdigit() and \d also accept '١٢٣٤' or '²³⁴⁵', which no keypad types.
PIN_PATTERN = re.compile(f"[0-9]{{{PIN_MIN_DIGITS},{PIN_MAX_DIGITS}}}")


@sensitive_variables("pin")
def pin_validate(*, pin: str) -> None:
    """Refuse a PIN that is not 4 to 8 of the digits 0-9."""
    if not PIN_PATTERN.fullmatch(pin):
        raise ValidationError(f"A PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits, each 0 to 9.", code="invalid_pin")


@sensitive_variables("pin")
def pin_hash(*, pin: str) -> str:
    """Return the bcrypt hash ($2b$, modular-crypt form) of a parental-control PIN."""
    pin_validate(pin=pin)
    return bcrypt.hashpw(pin.encode(), bcrypt.gensalt()).decode()


@sensitive_variables("pin")
def pin_set(*, profile: UserProfile, pin: str | None) -> None:
    """Set (or with None, clear) a profile's PIN; only the bcrypt hash is stored."""
    profile.pin_hash = None if pin is None else pin_hash(pin=pin)
    profile.save(update_fields=["pin_hash"])


@sensitive_variables("pin")
def pin_verify(*, profile: UserProfile, pin: str) -> bool:
    """Whether `pin` matches the profile's stored hash.

    False when it has none, and when the stored value only looks like a bcrypt hash (a
    placeholder or a truncated copy, which the database admits): nothing can match it.
    """
    if not profile.pin_hash:
        return False
    try:
        return bcrypt.checkpw(pin.encode(), profile.pin_hash.encode())
    except ValueError:  # bcrypt's "Invalid salt" for a malformed hash
        return False


def role_groups_sync(*, apps: Apps = global_apps) -> None:
    """Create the groups admin, user, kid and guest with exactly the permissions of `profiles.roles`.

    Runs from a data migration (with the historical `apps`) and after every migrate or
    flush, so the groups follow the mapping and survive a test database flush.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for app_config in global_apps.get_app_configs():
        # Permissions are made after migrations; make them now so the groups can hold them.
        create_permissions(app_config, apps=apps, verbosity=0)
    for role in PermissionLevel.values:
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set(permission_model.objects.filter(roles.role_permission_filter(role)))


def _role_group(role: str) -> Group:
    group = Group.objects.filter(name=role).first()
    if group is None:
        role_groups_sync()
        group = Group.objects.get(name=role)
    return group


@transaction.atomic
def family_login_sync(*, profile: UserProfile) -> None:
    """Make the profile's login follow its role: group, admin access and active flag.

    Only a family admin keeps superuser status; a login whose profile is inactive
    cannot sign in. The services that write a profile's role or active flag call it
    (the one path: no signal does it too).
    """
    login = FamilyLogin.objects.select_related("user").filter(profile_id=profile.pk).first()
    if login is None:
        return
    user = login.user
    role = profile.permission_level
    user.is_staff = roles.role_has_admin_access(role)
    user.is_active = profile.is_active is not False
    if role != PermissionLevel.ADMIN:
        user.is_superuser = False
    user.save(update_fields=["is_staff", "is_active", "is_superuser"])
    user.groups.set([_role_group(role)])


@sensitive_variables("password")
def family_login_check(*, username: str, password: str, name: str = "") -> None:
    """Raise ValidationError (by field) unless `username` is free and `password` passes the validators."""
    user_model = get_user_model()
    if not username:
        raise ValidationError({"username": "A login needs a username."})
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    candidate = user_model(username=username, first_name=name[:150])
    try:
        candidate.clean_fields(exclude=["password"])
    except ValidationError as error:
        raise ValidationError({"username": error.message_dict.get("username", error.messages)}) from error
    try:
        validate_password(password, candidate)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error


@sensitive_variables("password")
@transaction.atomic
def family_login_create(*, profile: UserProfile, username: str, password: str) -> FamilyLogin:
    """Give a profile a login (a Django user in the group of its role); the password is checked first."""
    if FamilyLogin.objects.filter(profile_id=profile.pk).exists():
        raise ValidationError(f"{profile.name} already has a login.")
    family_login_check(username=username, password=password, name=profile.name)
    user = get_user_model()(username=username, first_name=profile.name[:150])
    user.set_password(password)
    user.save()
    login = FamilyLogin.objects.create(user=user, profile=profile)
    family_login_sync(profile=profile)
    user.refresh_from_db()
    return login


def family_login_revoke(*, profile: UserProfile) -> None:
    """Stop a profile's login from signing in (before the profile is deleted); its admin history stays."""
    user_model = get_user_model()
    user_model.objects.filter(family_login__profile_id=profile.pk).update(
        is_active=False, is_staff=False, is_superuser=False
    )


@transaction.atomic
def profiles_delete(*, profiles: QuerySet[UserProfile]) -> int:
    """Delete family members with what is theirs (the database cascades); their logins stop signing in
    first (the pre_delete receiver calls family_login_revoke). Returns how many members were deleted."""
    return profiles.delete()[1].get(UserProfile._meta.label, 0)


@sensitive_variables("password", "pin")
@transaction.atomic
def family_member_create(
    *,
    name: str,
    permission_level: str = PermissionLevel.USER,
    username: str | None = None,
    password: str | None = None,
    pin: str | None = None,
    **fields: Any,
) -> UserProfile:
    """Add a family member: a profile, and a login when `username` is given.

    Without a password the login gets a random one (shown by the caller, or reset later).
    """
    text_check(name, field="name")
    profile = UserProfile(name=name, permission_level=permission_level, **fields)
    profile.full_clean()
    profile.save()
    if pin is not None:
        pin_set(profile=profile, pin=pin)
    if username:
        family_login_create(profile=profile, username=username, password=password or secrets.token_urlsafe(12))
    return profile


@sensitive_variables("password", "pin")
@transaction.atomic
def profile_save(
    *,
    profile: UserProfile,
    pin: str | None = None,
    clear_pin: bool = False,
    username: str | None = None,
    password: str | None = None,
) -> UserProfile:
    """Save a profile edited in a form: set or clear its PIN, give it a login when `username`
    is given, and keep its login in step with its role."""
    profile.full_clean(exclude=["pin_hash"])
    for field in UserProfile._meta.concrete_fields:
        if isinstance(field, JSONField):
            json_storable_check(getattr(profile, field.attname), field=field.name)
    profile.save()
    if clear_pin:
        pin_set(profile=profile, pin=None)
    elif pin:
        pin_set(profile=profile, pin=pin)
    if username:
        family_login_create(profile=profile, username=username, password=password or "")
    family_login_sync(profile=profile)
    return profile


@dataclass(frozen=True)
class FamilyAdminLogin:
    username: str
    password: str | None  # None when the login already existed


@sensitive_variables("password")
@transaction.atomic
def family_admin_ensure(*, username: str = "parent", password: str | None = None) -> FamilyAdminLogin:
    """Make sure a family admin can sign in, and say as whom; add no member the family does not have.

    An existing superuser without a profile is linked to one. A family-admin member who signs in
    already (the sample family's Dad) is the answer, with no password. Otherwise a login is made for
    a family-admin member who has none yet or, only when the family has no admin member at all, for
    a new one named after the login. A new login's password is `password` or a random one, which the
    caller shows once.
    """
    user_model = get_user_model()
    existing = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if existing is not None:
        if not FamilyLogin.objects.filter(user=existing).exists():
            profile = _admin_profile_without_login(existing.get_username())
            FamilyLogin.objects.create(user=existing, profile=profile)
            family_login_sync(profile=profile)
        return FamilyAdminLogin(username=existing.get_username(), password=None)
    signs_in = (
        FamilyLogin.objects.filter(profile__permission_level=PermissionLevel.ADMIN, user__is_active=True)
        .exclude(profile__is_active=False)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if signs_in is not None:
        return FamilyAdminLogin(username=signs_in.user.get_username(), password=None)
    password = password or secrets.token_urlsafe(12)
    user = user_model.objects.create_superuser(username=username, password=password, email="")
    profile = _admin_profile_without_login(username)
    FamilyLogin.objects.create(user=user, profile=profile)
    family_login_sync(profile=profile)
    return FamilyAdminLogin(username=username, password=password)


def _admin_profile_without_login(username: str) -> UserProfile:
    # An admin member nobody signs in as yet is the one: the one named after the login, else the first.
    name = username.capitalize() if len(username) >= 2 else "Parent"
    free_admins = UserProfile.objects.filter(permission_level=PermissionLevel.ADMIN, login__isnull=True).exclude(
        is_active=False
    )
    free = free_admins.filter(name__iexact=name).first() or free_admins.order_by("created_at", "name").first()
    if free is not None:
        return free
    if UserProfile.objects.filter(name__iexact=name).exists():
        name = f"{name} (family admin)"
    profile = UserProfile(name=name, permission_level=PermissionLevel.ADMIN)
    profile.full_clean()
    profile.save()
    return profile
