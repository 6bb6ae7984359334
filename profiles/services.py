"""Writes for family members: profiles, PINs, logins and quick actions."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import bcrypt
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import JSONField, QuerySet
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from profiles import policy, roles
from profiles.models import FamilyLogin, PermissionLevel, QuickAction, UserProfile
from tonnysite.json_values import json_storable_check, json_storable_problem
from tonnysite.safe_input import text_check, text_problem

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


# Quick actions -------------------------------------------------------------------------------

QUICK_ACTION_ID_PATTERN = re.compile(r"[a-z0-9_]+")
QUICK_ACTION_ID_MESSAGE = "An id uses only lowercase letters a–z, digits 0–9 and underscores, like good_morning."
QUICK_ACTION_MAX_COMMANDS = 50
QUICK_ACTION_CATEGORY_MAX = 100
# The fields a bulk edit may change, in the order pages show them.
QUICK_ACTION_BULK_FIELDS = ("icon", "category", "required_permission", "is_enabled", "description")
# What a member below family admin may change: switching an action on or off.
QUICK_ACTION_MEMBER_FIELDS = frozenset({"is_enabled"})


class Keep:
    """The value of a bulk-edit field that stays as each action has it."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


def quick_action_category(*, action: QuickAction) -> str:
    """The action's category (`metadata.category`), "" when it has none."""
    metadata = action.metadata if isinstance(action.metadata, dict) else {}
    category = metadata.get("category")
    return category if isinstance(category, str) else ""


def quick_action_values(*, action: QuickAction) -> dict[str, Any]:
    """What a page, an export and an import compare: every column in the family's words.

    NULLs a plain-SQL client left read as the schema's defaults, so they compare equal
    to what an export writes back.
    """
    metadata = dict(action.metadata) if isinstance(action.metadata, dict) else {}
    metadata.pop("category", None)
    return {
        "id": action.id,
        "display_name": action.display_name,
        "icon": action.icon or "",
        "category": quick_action_category(action=action),
        "required_permission": action.required_permission or PermissionLevel.USER,
        "is_enabled": action.is_enabled is not False,
        "description": action.description or "",
        "command_sequence": list(action.command_sequence or []),
        "metadata": metadata,
    }


def _quick_action_apply_values(action: QuickAction, values: dict[str, Any]) -> None:
    for name in ("display_name", "required_permission", "is_enabled", "command_sequence"):
        if name in values:
            setattr(action, name, values[name])
    for name in ("icon", "description"):
        if name in values:
            setattr(action, name, values[name] or None)
    if "metadata" in values or "category" in values:
        metadata = (
            dict(values["metadata"])
            if "metadata" in values
            else (dict(action.metadata) if isinstance(action.metadata, dict) else {})
        )
        category = values["category"] if "category" in values else quick_action_category(action=action)
        metadata.pop("category", None)
        if category:
            metadata["category"] = category
        action.metadata = metadata


def command_sequence_problems(*, commands: list[str]) -> list[str]:
    """What is wrong with a command sequence, in words (empty when nothing is)."""
    if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
        return ["The commands must be a list of texts."]
    problems = []
    if not commands:
        problems.append("A quick action needs at least one command.")
    for number, command in enumerate(commands, start=1):
        if not command.strip():
            problems.append(f"Command {number} is empty: write a command or remove it.")
        elif "\n" in command or "\r" in command:
            problems.append(f"Command {number} holds a line break: one command per entry.")
        elif problem := text_problem(command):
            problems.append(f"Command {number} {problem}.")
    if len(commands) > QUICK_ACTION_MAX_COMMANDS:
        problems.append(f"At most {QUICK_ACTION_MAX_COMMANDS} commands per quick action.")
    return problems


def quick_action_problems(*, values: dict[str, Any]) -> dict[str, list[str]]:
    """Check the values of one quick action (as `quick_action_values` gives them) field by field."""
    problems: dict[str, list[str]] = {}

    def text(name: str, label: str, max_length: int | None, required: bool = False) -> None:
        value = values.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems[name] = [f"The {label} must be text."]
        elif required and not value.strip():
            problems[name] = [f"The {label} is required."]
        elif max_length is not None and len(value) > max_length:
            problems[name] = [f"The {label} is at most {max_length} characters ({len(value)} given)."]
        elif problem := text_problem(value):
            problems[name] = [f"The {label} {problem}."]

    if "id" in values:
        action_id = values["id"]
        if not isinstance(action_id, str) or not QUICK_ACTION_ID_PATTERN.fullmatch(action_id):
            problems["id"] = [f"“{str(action_id)[:40]}” is not a valid id. {QUICK_ACTION_ID_MESSAGE}"]
        elif len(action_id) > 100:
            problems["id"] = ["An id is at most 100 characters."]
    if "display_name" in values:
        text("display_name", "display name", 255, required=True)
    if "icon" in values:
        text("icon", "icon", 50)
    if "category" in values:
        text("category", "category", QUICK_ACTION_CATEGORY_MAX)
    if "description" in values:
        text("description", "description", None)
    if "required_permission" in values and values["required_permission"] not in PermissionLevel.values:
        problems["required_permission"] = [
            f"“{str(values['required_permission'])[:20]}” is not a permission level: use one of "
            f"{', '.join(PermissionLevel.values)}."
        ]
    if "is_enabled" in values and not isinstance(values["is_enabled"], bool):
        problems["is_enabled"] = ["Enabled is true or false."]
    if "command_sequence" in values and (found := command_sequence_problems(commands=values["command_sequence"])):
        problems["command_sequence"] = found
    if "metadata" in values:
        metadata = values["metadata"]
        if not isinstance(metadata, dict):
            problems["metadata"] = ["The metadata must be an object (name → value)."]
        elif problem := json_storable_problem(metadata):
            problems["metadata"] = [f"The metadata cannot be stored: {problem}."]
    return problems


def _quick_actions_member_check(changed_by: UserProfile | None, fields: Iterable[str]) -> None:
    if changed_by is None or changed_by.permission_level == PermissionLevel.ADMIN:
        return
    if changed_by.permission_level not in roles.QUICK_ACTION_SWITCHING_ROLES:
        raise ValidationError(f"{changed_by.name} cannot change quick actions.")
    beyond = sorted(set(fields) - QUICK_ACTION_MEMBER_FIELDS)
    if beyond:
        raise ValidationError(
            f"{changed_by.name} may only switch quick actions on and off, not change their "
            f"{', '.join(name.replace('_', ' ') for name in beyond)}."
        )


@transaction.atomic
def quick_action_save(
    *, action: QuickAction, category: str | Keep = KEEP, changed_by: UserProfile | None = None
) -> QuickAction:
    """Save a quick action edited in a form (with its category, `metadata.category`, unless KEEP);
    a member below admin only switches actions at their level on or off."""
    if category is not KEEP:
        _quick_action_apply_values(action, {"category": category or ""})
    _quick_actions_reachable_check([action], changed_by)
    if changed_by is not None and changed_by.permission_level != PermissionLevel.ADMIN:
        stored = QuickAction.objects.filter(pk=action.pk).first()
        if stored is None:
            _quick_actions_member_check(changed_by, ["id"])
        else:
            _quick_actions_reachable_check([stored], changed_by)
            before, after = quick_action_values(action=stored), quick_action_values(action=action)
            _quick_actions_member_check(changed_by, [name for name in after if after[name] != before[name]])
    if problems := quick_action_problems(values=quick_action_values(action=action)):
        raise ValidationError(problems)
    action.full_clean()
    action.save()
    return action


def _quick_actions_reachable_check(actions: Iterable[QuickAction], changed_by: UserProfile | None) -> None:
    if changed_by is None or changed_by.permission_level == PermissionLevel.ADMIN:
        return
    out_of_reach = sorted(
        a.id for a in actions if not roles.role_may_use_quick_action(changed_by.permission_level, a.required_permission)
    )
    if out_of_reach:
        raise ValidationError(f"{changed_by.name} cannot change the quick actions {', '.join(out_of_reach)}.")


@dataclass(frozen=True)
class QuickActionChange:
    """One action of a bulk change or an import: its values before and the fields that change."""

    action_id: str
    display_name: str
    before: dict[str, Any]
    after: dict[str, Any]  # only the fields that change

    @property
    def fields(self) -> list[str]:
        return list(self.after)


def quick_actions_bulk_plan(
    *,
    actions: Iterable[QuickAction],
    icon: str | None | Keep = KEEP,
    category: str | Keep = KEEP,
    required_permission: str | Keep = KEEP,
    is_enabled: bool | Keep = KEEP,
    description: str | None | Keep = KEEP,
) -> list[QuickActionChange]:
    """What a bulk edit would change, action by action (every action, unchanged ones with no fields).

    Raises ValidationError by field when a new value is not valid.
    """
    wanted = {
        name: value
        for name, value in (
            ("icon", icon),
            ("category", category),
            ("required_permission", required_permission),
            ("is_enabled", is_enabled),
            ("description", description),
        )
        if value is not KEEP
    }
    wanted = {
        name: ("" if value is None and name in ("icon", "description") else value) for name, value in wanted.items()
    }
    if problems := quick_action_problems(values=wanted):
        raise ValidationError(problems)
    plan = []
    for action in actions:
        before = quick_action_values(action=action)
        after = {name: value for name, value in wanted.items() if before[name] != value}
        plan.append(
            QuickActionChange(action_id=action.id, display_name=action.display_name, before=before, after=after)
        )
    return plan


@transaction.atomic
def quick_actions_bulk_update(
    *,
    actions: QuerySet[QuickAction],
    is_enabled: bool | Keep = KEEP,
    required_permission: str | Keep = KEEP,
    category: str | Keep = KEEP,
    icon: str | None | Keep = KEEP,
    description: str | None | Keep = KEEP,
    changed_by: UserProfile | None = None,
) -> list[QuickAction]:
    """Change any of icon, category, required permission, enabled and description of every action
    of `actions` in one statement; return those that changed (each is one entry of the change history).

    A member below admin may only switch actions at their own level or below on and off.
    """
    locked = list(actions.select_for_update(of=("self",)).order_by("pk"))
    _quick_actions_reachable_check(locked, changed_by)
    plan = quick_actions_bulk_plan(
        actions=locked,
        icon=icon,
        category=category,
        required_permission=required_permission,
        is_enabled=is_enabled,
        description=description,
    )
    _quick_actions_member_check(changed_by, {name for change in plan for name in change.after})
    by_id = {action.id: action for action in locked}
    changed = []
    for change in plan:
        if change.after:
            action = by_id[change.action_id]
            _quick_action_apply_values(action, change.after)
            changed.append(action)
    _quick_actions_write(changed)
    return changed


def _quick_actions_write(actions: list[QuickAction]) -> None:
    # One UPDATE for all rows: the history trigger records each changed row once.
    if actions:
        QuickAction.objects.bulk_update(
            actions, ["display_name", "icon", "command_sequence", "description", "is_enabled",
                      "required_permission", "metadata"]
        )  # fmt: skip


def quick_action_copy_id(*, action_id: str, taken: set[str]) -> str:
    """A free id for a copy of `action_id`: good_morning_copy, then good_morning_copy_2, ...

    A copy of a copy becomes good_morning_copy_3, not good_morning_copy_copy; ids stay within 100 characters.
    """
    base = re.sub(r"_copy(_[0-9]+)?$", "", action_id)
    number = 1
    while True:
        suffix = "_copy" if number == 1 else f"_copy_{number}"
        candidate = base[: 100 - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


@transaction.atomic
def quick_actions_duplicate(
    *, actions: QuerySet[QuickAction], changed_by: UserProfile | None = None
) -> list[QuickAction]:
    """Copy every action of `actions` under a new id (good_morning_copy, good_morning_copy_2, ...)."""
    _quick_actions_member_check(changed_by, ["id"])
    originals = list(actions.order_by("pk"))
    # The ids copies already took; a copy made meanwhile by someone else fails the primary key below.
    taken = set(QuickAction.objects.filter(id__contains="_copy").values_list("id", flat=True))
    taken |= {action.id for action in originals}
    copies = []
    for original in originals:
        new_id = quick_action_copy_id(action_id=original.id, taken=taken)
        taken.add(new_id)
        copy = QuickAction(id=new_id)
        values = quick_action_values(action=original)
        values["display_name"] = f"{original.display_name} (copy)"[:255]
        _quick_action_apply_values(copy, values)
        copies.append(copy)
    try:
        with transaction.atomic():
            QuickAction.objects.bulk_create(copies)
    except IntegrityError as error:
        raise ValidationError("Someone made a copy with the same id at the same moment: try again.") from error
    return copies


@transaction.atomic
def quick_actions_delete(*, actions: QuerySet[QuickAction], changed_by: UserProfile | None = None) -> int:
    """Delete every action of `actions` in one statement; return how many went."""
    _quick_actions_member_check(changed_by, ["id"])
    deleted, _ = QuickAction.objects.filter(pk__in=actions.values("pk")).delete()
    return deleted


@dataclass(frozen=True)
class QuickActionRowProblem:
    """A bad row of an import file: its number (1 is the first action; 0 the file itself) and field."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = "The file" if self.row == 0 else f"Row {self.row}"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass(frozen=True)
class QuickActionImportPlan:
    """What an import would do: actions to create, to change (with the fields that change), unchanged."""

    to_create: list[dict[str, Any]]
    to_change: list[QuickActionChange]
    unchanged: list[str]
    problems: list[QuickActionRowProblem]

    @property
    def is_valid(self) -> bool:
        return not self.problems


QUICK_ACTION_IMPORT_FIELDS = (
    "id", "display_name", "icon", "category", "required_permission", "is_enabled", "description",
    "command_sequence", "metadata",
)  # fmt: skip


def quick_actions_import_plan(*, rows: list[dict[str, Any]], for_update: bool = False) -> QuickActionImportPlan:
    """Compare rows read from a file (`profiles.quick_action_files`) with the stored actions, in one query.

    Every row needs an id, a display name and a command sequence; the other fields keep their
    defaults when absent on a new action and their stored value on an existing one.
    """
    problems: list[QuickActionRowProblem] = []
    seen: dict[str, int] = {}
    good: list[tuple[int, dict[str, Any]]] = []
    for number, row in enumerate(rows, start=1):
        row_problems = []
        for name in ("id", "display_name", "command_sequence"):
            if name not in row:
                row_problems.append(QuickActionRowProblem(number, name, "missing."))
        unknown = sorted(set(row) - set(QUICK_ACTION_IMPORT_FIELDS))
        if unknown:
            row_problems.append(QuickActionRowProblem(number, unknown[0], "is not a quick action field."))
        for name, messages in quick_action_problems(values=row).items():
            row_problems.extend(QuickActionRowProblem(number, name, message) for message in messages)
        action_id = row.get("id")
        if isinstance(action_id, str) and action_id in seen:
            row_problems.append(
                QuickActionRowProblem(number, "id", f"“{action_id}” is already in row {seen[action_id]} of this file.")
            )
        elif isinstance(action_id, str):
            seen[action_id] = number
        problems.extend(row_problems)
        if not row_problems:
            good.append((number, row))
    stored_actions = QuickAction.objects.filter(pk__in=[row["id"] for _, row in good])
    if for_update:
        stored_actions = stored_actions.select_for_update()
    stored = {action.id: action for action in stored_actions}
    to_create, to_change, unchanged = [], [], []
    for _, row in good:
        action = stored.get(row["id"])
        if action is None:
            to_create.append(row)
            continue
        before = quick_action_values(action=action)
        after = {name: value for name, value in row.items() if before[name] != value}
        if after:
            to_change.append(QuickActionChange(action.id, action.display_name, before, after))
        else:
            unchanged.append(action.id)
    return QuickActionImportPlan(to_create=to_create, to_change=to_change, unchanged=unchanged, problems=problems)


@transaction.atomic
def quick_actions_import(*, rows: list[dict[str, Any]], changed_by: UserProfile | None = None) -> QuickActionImportPlan:
    """Create and change quick actions from a file's rows, all of them or, when any row is bad, none.

    Raises ValidationError listing every bad row (row number and field) and changes nothing then.
    """
    _quick_actions_member_check(changed_by, ["id"])
    plan = quick_actions_import_plan(rows=rows, for_update=True)
    if not plan.is_valid:
        raise ValidationError([str(problem) for problem in plan.problems])
    new = []
    for row in plan.to_create:
        action = QuickAction(id=row["id"], is_enabled=True, required_permission=PermissionLevel.USER, metadata={})
        _quick_action_apply_values(action, row)
        new.append(action)
    QuickAction.objects.bulk_create(new)
    stored = {a.id: a for a in QuickAction.objects.filter(pk__in=[c.action_id for c in plan.to_change])}
    changed = []
    for change in plan.to_change:
        action = stored[change.action_id]
        _quick_action_apply_values(action, change.after)
        changed.append(action)
    _quick_actions_write(changed)
    return plan


@dataclass(frozen=True)
class FamilyAdminLogin:
    username: str
    password: str | None  # None when the login already existed


@sensitive_variables("password")
@transaction.atomic
def family_admin_ensure(*, username: str = "parent", password: str | None = None) -> FamilyAdminLogin:
    """Create the first family-admin login unless one exists, linked to an admin profile.

    Without a password a random one is made, which the caller shows once. An
    existing superuser without a profile is linked to one (and put in the admin group).
    """
    user_model = get_user_model()
    existing = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if existing is not None:
        if not FamilyLogin.objects.filter(user=existing).exists():
            profile = _admin_profile_without_login(existing.get_username())
            FamilyLogin.objects.create(user=existing, profile=profile)
            family_login_sync(profile=profile)
        return FamilyAdminLogin(username=existing.get_username(), password=None)
    password = password or secrets.token_urlsafe(12)
    user = user_model.objects.create_superuser(username=username, password=password, email="")
    profile = _admin_profile_without_login(username)
    FamilyLogin.objects.create(user=user, profile=profile)
    family_login_sync(profile=profile)
    return FamilyAdminLogin(username=username, password=password)


def _admin_profile_without_login(username: str) -> UserProfile:
    # The profile is named after the login; an admin profile of that name nobody signs in as is reused.
    name = username.capitalize() if len(username) >= 2 else "Parent"
    same_name = UserProfile.objects.filter(name__iexact=name).select_related("login").first()
    if same_name is not None:
        if same_name.permission_level == PermissionLevel.ADMIN and not hasattr(same_name, "login"):
            return same_name
        name = f"{name} (family admin)"
    profile = UserProfile(name=name, permission_level=PermissionLevel.ADMIN)
    profile.full_clean()
    profile.save()
    return profile


# ---------------------------------------------------------------------------------------------
# Parental controls: limits, allowed hours, command lists, pause and the family's calendar

LIMIT_LABELS = {
    policy.DAILY_LIMIT: "The daily limit",
    policy.SCHOOL_DAY_LIMIT: "The school-day limit",
    policy.WEEKEND_LIMIT: "The weekend limit",
}
WINDOW_FIELDS = {day_type: f"windows_{day_type}" for day_type in policy.DayType.values}
MAX_WINDOWS_PER_DAY = 12
MAX_COMMANDS = 200
MAX_COMMAND_LENGTH = 200
MAX_PAUSE_MINUTES = 7 * 24 * 60


def _limit_problem(label: str, value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= policy.DAY_MINUTES:
        return f"{label} is a whole number of minutes from 0 to 1440, not {value!r}."
    return None


def _windows_problems(day_type: str, windows: list[tuple[int, int]]) -> list[str]:
    """Why these windows of a day type cannot be stored: out of the day, empty or overlapping."""
    label = policy.DayType(day_type).label.capitalize()
    if len(windows) > MAX_WINDOWS_PER_DAY:
        return [f"{label}: at most {MAX_WINDOWS_PER_DAY} windows."]
    problems = []
    for start, end in windows:
        if not all(type(m) is int and 0 <= m < policy.DAY_MINUTES for m in (start, end)):
            problems.append(f"{label}: a window's start and end are times of the day, 00:00 to 23:59.")
        elif start == end:
            problems.append(
                f"{label}: the window {policy.minutes_label(start)}–{policy.minutes_label(end)} is empty "
                "(it starts when it ends)."
            )
    if problems:
        return problems
    # On the 24-hour clock a window that crosses midnight is two pieces.
    pieces = []
    for start, end in windows:
        window = policy.Window(start, end)
        if window.crosses_midnight:
            pieces += [(start, policy.DAY_MINUTES, window), (0, end, window)]
        else:
            pieces.append((start, end, window))
    pieces.sort(key=lambda piece: piece[:2])
    for (_, end, first), (start, _, second) in zip(pieces, pieces[1:], strict=False):
        if start < end and first is not second:
            return [f"{label}: the windows {first.label()} and {second.label()} overlap."]
    return []


def command_list_clean(*, entries: Iterable[str] | None, label: str) -> list[str] | None:
    """A command list as stored: each entry trimmed; None for no list. Raises ValidationError for an
    empty entry, a duplicate (by normalised text), a NUL character or an entry that is too long."""
    if entries is None:
        return None
    cleaned, seen, problems = [], {}, []
    for line, entry in enumerate(entries, start=1):
        text = entry.strip()
        if problem := text_problem(text):
            problems.append(f"{label}, line {line}: {problem}.")
            continue
        if len(text) > MAX_COMMAND_LENGTH:
            problems.append(f"{label}, line {line}: at most {MAX_COMMAND_LENGTH} characters.")
            continue
        normalized = policy.command_normalize(text)
        if not normalized:
            problems.append(f"{label}, line {line}: an empty entry" + (f" (“{text}” has no words)." if text else "."))
            continue
        if normalized.replace("*", "").strip() == "":
            problems.append(f"{label}, line {line}: “{text}” would match every command.")
            continue
        if normalized in seen:
            problems.append(f"{label}: “{text}” (line {line}) is the same command as “{seen[normalized][1]}” "
                            f"(line {seen[normalized][0]}).")  # fmt: skip
            continue
        seen[normalized] = (line, text)
        cleaned.append(text)
    if len(cleaned) > MAX_COMMANDS:
        problems.append(f"{label}: at most {MAX_COMMANDS} commands.")
    if problems:
        raise ValidationError(problems)
    return cleaned or None


def usage_limits_build(
    *,
    daily_limit_minutes: int | None,
    school_day_limit: int | None,
    weekend_limit: int | None,
    windows: dict[str, list[tuple[int, int]]],
    pause: dict | None = None,
) -> dict:
    """The usage_limits JSON for these controls (already checked): the seed's keys, and `windows`
    only when one whole-hour `allowed_hours` cannot say the same."""
    limits: dict = {}
    for key, value in (
        (policy.DAILY_LIMIT, daily_limit_minutes),
        (policy.SCHOOL_DAY_LIMIT, school_day_limit),
        (policy.WEEKEND_LIMIT, weekend_limit),
    ):
        if value is not None:
            limits[key] = value
    per_day = {day_type: sorted(windows.get(day_type) or []) for day_type in policy.DayType.values}
    if any(per_day.values()):
        exact = _as_allowed_hours(per_day)
        if exact is not None:
            limits[policy.ALLOWED_HOURS] = exact
        else:
            limits[policy.WINDOWS] = {
                day_type: [policy.Window(start, end).to_json() for start, end in pairs]
                for day_type, pairs in per_day.items()
            }
            limits[policy.ALLOWED_HOURS] = allowed_hours_summary(per_day=per_day)
    if pause:
        limits[policy.PAUSE] = pause
    return limits


def _as_allowed_hours(per_day: dict[str, list[tuple[int, int]]]) -> list[int] | None:
    # One window on whole hours, the same every day: exactly what the seed's allowed_hours says.
    first = per_day[policy.DayType.SCHOOL_DAY]
    if any(pairs != first for pairs in per_day.values()) or len(first) != 1:
        return None
    start, end = first[0]
    if start % 60 or end % 60:
        return None
    # A window ending at midnight ends at hour 24 in the seed's words.
    return [start // 60, end // 60 if end else 24]


def allowed_hours_summary(*, per_day: dict[str, list[tuple[int, int]]]) -> list[int]:
    """The seed's allowed_hours for richer windows, never allowing more than they do: the longest run
    of whole hours allowed on every kind of day ([0, 0], no hour, when there is none)."""
    allowed = [True] * policy.DAY_MINUTES
    for pairs in per_day.values():
        if not pairs:
            continue  # no restriction on this kind of day
        day = [False] * policy.DAY_MINUTES
        for start, end in pairs:
            minutes = range(start, end) if end > start else [*range(start, policy.DAY_MINUTES), *range(0, end)]
            for minute in minutes:
                day[minute] = True
        allowed = [a and b for a, b in zip(allowed, day, strict=True)]
    hours = [all(allowed[h * 60 : h * 60 + 60]) for h in range(24)]
    if all(hours):
        return [0, 24]
    best_start, best_length = 0, 0
    for start in range(24):
        length = 0
        while length < 24 and hours[(start + length) % 24]:
            length += 1
        if length > best_length:
            best_start, best_length = start, length
    if not best_length:
        return [0, 0]
    end = (best_start + best_length) % 24
    return [best_start, end or 24]


@transaction.atomic
def parental_controls_save(
    *,
    profile: UserProfile,
    daily_limit_minutes: int | None,
    school_day_limit: int | None,
    weekend_limit: int | None,
    windows: dict[str, list[tuple[int, int]]],
    allowed_commands: list[str] | None,
    blocked_commands: list[str] | None,
) -> UserProfile:
    """Check and save a member's limits (minutes), allowed-hours windows (minutes after midnight, per
    day type: school_day, weekend) and command lists; the pause stays as it is.

    Raises ValidationError by field (daily_limit_minutes, school_day_limit, weekend_limit,
    windows_school_day, windows_weekend, allowed_commands, blocked_commands) with every problem.
    """
    errors: dict[str, list[str]] = {}
    for key, value in (
        (policy.DAILY_LIMIT, daily_limit_minutes),
        (policy.SCHOOL_DAY_LIMIT, school_day_limit),
        (policy.WEEKEND_LIMIT, weekend_limit),
    ):
        if problem := _limit_problem(LIMIT_LABELS[key], value):
            errors[key] = [problem]
    unknown = set(windows) - set(policy.DayType.values)
    if unknown:
        raise ValidationError(f"Windows are for {', '.join(policy.DayType.values)}, not {', '.join(sorted(unknown))}.")
    for day_type, pairs in windows.items():
        if problems := _windows_problems(day_type, list(pairs or [])):
            errors[WINDOW_FIELDS[day_type]] = problems
    lists = {}
    for name, entries, label in (
        ("allowed_commands", allowed_commands, "Allowed commands"),
        ("blocked_commands", blocked_commands, "Blocked commands"),
    ):
        try:
            lists[name] = command_list_clean(entries=entries, label=label)
        except ValidationError as error:
            errors[name] = error.messages
    if not errors and lists["allowed_commands"] and lists["blocked_commands"]:
        blocked = {policy.command_normalize(entry) for entry in lists["blocked_commands"]}
        both = [entry for entry in lists["allowed_commands"] if policy.command_normalize(entry) in blocked]
        if both:
            errors["blocked_commands"] = [
                f"“{entry}” is in both the allowed and the blocked commands (blocked would win): "
                "keep it in one list only."
                for entry in both
            ]
    if errors:
        raise ValidationError(errors)
    stored = UserProfile.objects.select_for_update().only("usage_limits").get(pk=profile.pk)
    pause = (stored.usage_limits or {}).get(policy.PAUSE) if isinstance(stored.usage_limits, dict) else None
    profile.usage_limits = usage_limits_build(
        daily_limit_minutes=daily_limit_minutes,
        school_day_limit=school_day_limit,
        weekend_limit=weekend_limit,
        windows={k: list(v or []) for k, v in windows.items()},
        pause=pause,
    )
    profile.allowed_commands = lists["allowed_commands"]
    profile.blocked_commands = lists["blocked_commands"]
    profile.save(update_fields=["usage_limits", "allowed_commands", "blocked_commands"])
    return profile


def _usage_limits_pause_set(*, profile: UserProfile, pause: dict | None) -> UserProfile:
    stored = UserProfile.objects.select_for_update().only("usage_limits").get(pk=profile.pk)
    limits = dict(stored.usage_limits) if isinstance(stored.usage_limits, dict) else {}
    limits.pop(policy.PAUSE, None)
    if pause is not None:
        limits[policy.PAUSE] = pause
    profile.usage_limits = limits
    profile.save(update_fields=["usage_limits"])
    return profile


@transaction.atomic
def profile_pause(*, profile: UserProfile, minutes: int | None, now: datetime | None = None) -> UserProfile:
    """Pause the assistant for a member from now, for `minutes` (1 minute to a week) or, with None,
    until a parent resumes it."""
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_PAUSE_MINUTES
    ):
        raise ValidationError(
            {"pause_minutes": f"A pause lasts 1 to {MAX_PAUSE_MINUTES} minutes (a week), not {minutes!r}."}
        )
    now = now or timezone.now()
    until = None if minutes is None else now + timedelta(minutes=minutes)
    return _usage_limits_pause_set(
        profile=profile, pause={"since": now.isoformat(), "until": until.isoformat() if until else None}
    )


@transaction.atomic
def profile_resume(*, profile: UserProfile) -> UserProfile:
    """End a member's pause now."""
    return _usage_limits_pause_set(profile=profile, pause=None)


def family_calendar_save(
    *, country: str, holidays: list[tuple[date, date, str]], updated_by: UserProfile | None = None
) -> None:
    """Save the family's country (its public holidays are not school days; "" for none) and its own
    holiday ranges (first day, last day, name), in the settings family.country and family.holidays."""
    from telemetry.models import Setting
    from telemetry.services import setting_update

    country = country.strip().upper()
    if country and not policy.country_is_known(country):
        raise ValidationError(
            {"country": f"“{country[:20]}” is not a country code the holiday calendar knows (such as DE or DE-BY)."}
        )
    problems = []
    for first, last, name in holidays:
        if last < first:
            problems.append(f"The holiday “{name}” ends ({last}) before it starts ({first}).")
        if len(name) > 100 or text_problem(name):
            problems.append(f"A holiday's name is at most 100 characters of plain text: “{name[:40]!r}”.")
    if problems:
        raise ValidationError({"holidays": problems})
    values = {
        policy.COUNTRY_SETTING: country,
        policy.HOLIDAYS_SETTING: [
            {"from": first.isoformat(), "to": last.isoformat(), "name": name} for first, last, name in holidays
        ],
    }
    with transaction.atomic():
        stored = {s.key: s for s in Setting.objects.filter(key__in=values)}
        for key, value in values.items():
            setting = stored.get(key) or Setting(key=key, category="family", default_value=type(value)())
            setting_update(setting=setting, value=value, updated_by=updated_by)
