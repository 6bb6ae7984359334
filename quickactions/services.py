"""Writes for quick actions: one save, bulk edits, copies, deletes and imports, each within the changer's reach."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from profiles import roles
from profiles.models import PermissionLevel, UserProfile
from quickactions.models import QuickAction
from tonnysite.json_values import json_storable_problem
from tonnysite.markers import KEEP, Keep
from tonnysite.safe_input import text_problem

QUICK_ACTION_ID_PATTERN = re.compile(r"[a-z0-9_]+")
QUICK_ACTION_ID_MESSAGE = "An id uses only lowercase letters a–z, digits 0–9 and underscores, like good_morning."
QUICK_ACTION_MAX_COMMANDS = 50
QUICK_ACTION_CATEGORY_MAX = 100
# The fields a bulk edit may change, in the order pages show them.
QUICK_ACTION_BULK_FIELDS = ("icon", "category", "required_permission", "is_enabled", "description")
# What a member below family admin may change: switching an action on or off.
QUICK_ACTION_MEMBER_FIELDS = frozenset({"is_enabled"})


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
    """Compare rows read from a file (`quickactions.files`) with the stored actions, in one query.

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
