"""Quick actions changed in bulk, copied, deleted and imported: one service call each, within the changer's reach."""

import pytest
from django.core.exceptions import ValidationError

from history.models import Change
from profiles.tests.factories import UserProfileFactory
from quickactions.models import QuickAction
from quickactions.services import (
    quick_action_copy_id,
    quick_action_save,
    quick_actions_bulk_plan,
    quick_actions_bulk_update,
    quick_actions_delete,
    quick_actions_duplicate,
    quick_actions_import,
    quick_actions_import_plan,
)
from quickactions.tests.factories import QuickActionFactory

pytestmark = pytest.mark.django_db


def test_bulk_update_switches_every_action_in_one_go():
    QuickActionFactory.create_batch(3)

    changed = quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False)

    assert len(changed) == 3
    assert not QuickAction.objects.filter(is_enabled=True).exists()


def test_bulk_update_returns_only_the_actions_that_changed():
    QuickActionFactory(is_enabled=False)
    QuickActionFactory(is_enabled=True)

    changed = quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False)

    assert len(changed) == 1


def test_bulk_update_changes_several_fields_and_keeps_other_metadata():
    QuickActionFactory(id="bedtime", metadata={"category": "routines", "colour": "blue"})

    quick_actions_bulk_update(
        actions=QuickAction.objects.all(), required_permission="kid", category="evening", icon="🌙", description=None
    )

    action = QuickAction.objects.get(pk="bedtime")
    assert (action.required_permission, action.icon, action.metadata) == (
        "kid",
        "🌙",
        {"category": "evening", "colour": "blue"},
    )


def test_bulk_update_is_recorded_once_per_changed_action():
    QuickActionFactory(id="a", is_enabled=True)
    QuickActionFactory(id="b", is_enabled=False)

    quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False, required_permission="kid")

    updates = Change.objects.filter(table_name="quick_actions", action="update")
    assert sorted(updates.values_list("row_id", flat=True)) == ["a", "b"]


def test_bulk_update_refuses_an_unknown_permission_and_changes_nothing():
    QuickActionFactory(id="a")

    with pytest.raises(ValidationError, match="not a permission level"):
        quick_actions_bulk_update(actions=QuickAction.objects.all(), required_permission="root", is_enabled=False)

    assert QuickAction.objects.get(pk="a").is_enabled is True


def test_bulk_plan_shows_before_and_after_of_each_action():
    QuickActionFactory(id="a", icon="⭐", required_permission="user")

    [change] = quick_actions_bulk_plan(actions=QuickAction.objects.all(), icon="☀️", required_permission="user")

    assert (change.before["icon"], change.after) == ("⭐", {"icon": "☀️"})


def test_member_cannot_switch_an_action_above_their_level():
    QuickActionFactory(id="lock_doors", required_permission="admin")
    member = UserProfileFactory(permission_level="user")

    with pytest.raises(ValidationError, match="lock_doors"):
        quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False, changed_by=member)


def test_member_switches_actions_at_their_own_level():
    QuickActionFactory(id="bedtime", required_permission="kid")
    member = UserProfileFactory(permission_level="user")

    quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False, changed_by=member)

    assert QuickAction.objects.get(pk="bedtime").is_enabled is False


def test_member_cannot_change_the_permission_of_an_action():
    QuickActionFactory(id="bedtime", required_permission="kid")
    member = UserProfileFactory(permission_level="user")

    with pytest.raises(ValidationError, match="only switch quick actions on and off"):
        quick_actions_bulk_update(actions=QuickAction.objects.all(), required_permission="guest", changed_by=member)


@pytest.mark.parametrize("role", ["kid", "guest"])
def test_kids_and_guests_cannot_switch_actions(role):
    QuickActionFactory(id="bedtime", required_permission="guest")

    with pytest.raises(ValidationError, match="cannot change quick actions"):
        quick_actions_bulk_update(
            actions=QuickAction.objects.all(), is_enabled=False, changed_by=UserProfileFactory(permission_level=role)
        )


def test_member_cannot_rename_an_action_through_its_form():
    action = QuickActionFactory(id="bedtime", required_permission="kid")
    action.display_name = "Renamed"

    with pytest.raises(ValidationError, match="display name"):
        quick_action_save(action=action, changed_by=UserProfileFactory(permission_level="user"))


def test_save_keeps_commas_inside_a_command():
    action = QuickActionFactory.build(id="colours", command_sequence=["set the lights to red, green and blue"])

    quick_action_save(action=action)

    assert QuickAction.objects.get(pk="colours").command_sequence == ["set the lights to red, green and blue"]


def test_save_names_the_empty_command():
    action = QuickActionFactory.build(id="colours", command_sequence=["lights on", " "])

    with pytest.raises(ValidationError, match="Command 2 is empty"):
        quick_action_save(action=action)


def test_save_explains_the_id_format():
    action = QuickActionFactory.build(id="Good Morning")

    with pytest.raises(ValidationError, match="lowercase letters a–z, digits 0–9 and underscores"):
        quick_action_save(action=action)


@pytest.mark.parametrize(
    ("action_id", "taken", "expected"),
    [
        ("good_morning", set(), "good_morning_copy"),
        ("good_morning", {"good_morning_copy"}, "good_morning_copy_2"),
        ("good_morning_copy", {"good_morning_copy"}, "good_morning_copy_2"),
        ("x" * 100, set(), "x" * 95 + "_copy"),
    ],
)
def test_copy_ids_are_derived_safely(action_id, taken, expected):
    assert quick_action_copy_id(action_id=action_id, taken=taken) == expected


def test_duplicate_copies_every_selected_action_under_a_free_id():
    QuickActionFactory(id="good_morning", command_sequence=["lights on, please"])
    QuickActionFactory(id="good_morning_copy")

    quick_actions_duplicate(actions=QuickAction.objects.filter(pk="good_morning"))

    copy = QuickAction.objects.get(pk="good_morning_copy_2")
    assert copy.command_sequence == ["lights on, please"]


def test_delete_removes_only_the_selected_actions():
    QuickActionFactory(id="a")
    QuickActionFactory(id="b")

    quick_actions_delete(actions=QuickAction.objects.filter(pk="a"))

    assert list(QuickAction.objects.values_list("pk", flat=True)) == ["b"]


def good_row(action_id="new_one", **changes):
    row = {"id": action_id, "display_name": "New one", "command_sequence": ["lights on, dimmed"]}
    return {**row, **changes}


def test_import_plan_sorts_rows_into_create_change_and_unchanged():
    QuickActionFactory(id="same", display_name="Same", command_sequence=["a"])
    QuickActionFactory(id="changes", display_name="Old", command_sequence=["a"])

    plan = quick_actions_import_plan(
        rows=[
            good_row("fresh"),
            {"id": "changes", "display_name": "New", "command_sequence": ["a"]},
            {"id": "same", "display_name": "Same", "command_sequence": ["a"]},
        ]
    )

    assert [row["id"] for row in plan.to_create] == ["fresh"]
    assert [(c.action_id, c.after) for c in plan.to_change] == [("changes", {"display_name": "New"})]
    assert plan.unchanged == ["same"]


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (good_row("Bad Id"), "id", "not a valid id"),
        (good_row("empty", command_sequence=[]), "command_sequence", "at least one command"),
        (good_row("perm", required_permission="root"), "required_permission", "not a permission level"),
        (good_row("first"), "id", "already in row 1"),
    ],
)
def test_import_names_the_row_and_field_of_a_bad_row_and_changes_nothing(bad, field, words):
    QuickActionFactory(id="kept", display_name="Kept")

    with pytest.raises(ValidationError) as raised:
        quick_actions_import(
            rows=[good_row("first"), {"id": "kept", "display_name": "Changed", "command_sequence": ["x"]}, bad]
        )

    assert any(m.startswith(f"Row 3, {field}:") and words in m for m in raised.value.messages)
    assert list(QuickAction.objects.values_list("pk", "display_name")) == [("kept", "Kept")]


def test_import_applies_every_good_row_in_one_go():
    QuickActionFactory(id="kept", display_name="Kept")

    quick_actions_import(rows=[good_row("first"), {"id": "kept", "display_name": "Changed", "command_sequence": ["x"]}])

    assert sorted(QuickAction.objects.values_list("pk", "display_name")) == [("first", "New one"), ("kept", "Changed")]
