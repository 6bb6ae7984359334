"""Role × action: each admin action works for the roles it is meant for and changes nothing for the others."""

import pytest
from django.contrib.admin.models import LogEntry

from history.models import Change
from tests.admin.helpers import own_object, url

pytestmark = pytest.mark.django_db

DELETABLE_BY_ADMIN_ONLY = [
    "activity.activitylog",
    "activity.commandhistory",
    "telemetry.systemevent",
    "activity.usagestatistic",
]
EXPECTED = {
    ("activity.activitylog", "export_csv"): {"admin", "user", "kid"},
    ("activity.commandhistory", "export_csv"): {"admin", "user", "kid"},
    ("activity.usagestatistic", "export_csv"): {"admin", "user", "kid"},
    ("telemetry.setting", "export_csv"): {"admin", "user"},
    ("telemetry.setting", "reset_to_default"): {"admin"},
    ("telemetry.systemevent", "mark_resolved"): {"admin"},
    ("quickactions.quickaction", "enable_selected"): {"admin", "user"},
    ("quickactions.quickaction", "disable_selected"): {"admin", "user"},
    ("quickactions.quickaction", "set_permission_selected"): {"admin"},
    ("quickactions.quickaction", "set_category_selected"): {"admin"},
    ("quickactions.quickaction", "duplicate_selected"): {"admin"},
    ("quickactions.quickaction", "bulk_edit_selected"): {"admin"},
    **{(model, "delete_selected"): {"admin"} for model in DELETABLE_BY_ADMIN_ONLY},
    ("quickactions.quickaction", "delete_selected"): {"admin"},
    ("telemetry.setting", "delete_selected"): {"admin"},
    ("profiles.userprofile", "delete_selected"): {"admin"},
}
ROLES = ("admin", "user", "kid", "guest")
CASES = [(model, action, role) for (model, action) in EXPECTED for role in ROLES]


def target(model, role, family, rows):
    if model == "quickactions.quickaction":
        return rows["quickaction"]["kid"]
    return own_object(model, "admin" if role == "guest" else role, family, rows)


# What the actions that take a value (next to the action, or on their own page) are given.
ACTION_VALUES = {
    "set_permission_selected": {"permission": "guest"},
    "set_category_selected": {"category": "chosen"},
}


def run_action(client, model, action, obj):
    data = {"action": action, "_selected_action": [str(obj.pk)], "index": "0", **ACTION_VALUES.get(action, {})}
    response = client.post(url(model, "changelist"), data)
    if action == "bulk_edit_selected" and response.status_code == 200:
        bulk = {"action": action, "_selected_action": [str(obj.pk)], "required_permission": "guest"}
        response = client.post(url(model, "changelist"), {**bulk, "_step": "apply"})
    if action == "delete_selected" and response.status_code == 200 and not _is_csv(response):
        response = client.post(url(model, "changelist"), {**data, "post": "yes"} | {"index": []})
    return response


def _is_csv(response) -> bool:
    return response.get("Content-Type", "").startswith("text/csv")


def effect_happened(model, action, obj, response) -> bool:
    if action == "export_csv":
        return response.status_code == 200 and _is_csv(response)
    if action == "delete_selected":
        return not type(obj).objects.filter(pk=obj.pk).exists()
    fresh = type(obj).objects.get(pk=obj.pk)
    if action == "reset_to_default":
        return fresh.value == obj.default_value
    if action == "mark_resolved":
        return fresh.resolved_at is not None
    if action == "enable_selected":
        return fresh.is_enabled is True
    if action == "disable_selected":
        return fresh.is_enabled is False
    if action in ("set_permission_selected", "bulk_edit_selected"):
        return fresh.required_permission == "guest"
    if action == "set_category_selected":
        return fresh.metadata.get("category") == "chosen"
    if action == "duplicate_selected":
        return type(obj).objects.filter(pk=f"{obj.pk}_copy").exists()
    raise AssertionError(action)


@pytest.mark.parametrize(("model", "action", "role"), CASES)
def test_action_takes_effect_only_for_the_roles_it_is_meant_for(client_as, family, rows, model, action, role):
    obj = target(model, role, family, rows)
    if action == "enable_selected":
        type(obj).objects.filter(pk=obj.pk).update(is_enabled=False)

    response = run_action(client_as(role), model, action, obj)

    assert effect_happened(model, action, obj, response) == (role in EXPECTED[(model, action)])


@pytest.mark.parametrize(
    ("model", "action"),
    [
        ("telemetry.setting", "reset_to_default"),
        ("telemetry.systemevent", "mark_resolved"),
        ("quickactions.quickaction", "disable_selected"),
        ("quickactions.quickaction", "set_permission_selected"),
        ("quickactions.quickaction", "set_category_selected"),
        ("quickactions.quickaction", "bulk_edit_selected"),
    ],
)
def test_every_changing_action_is_recorded_once_in_the_change_history(client_as, family, rows, model, action):
    obj = target(model, "admin", family, rows)

    run_action(client_as("admin"), model, action, obj)

    entry = Change.objects.get(table_name=obj._meta.db_table, row_id=str(obj.pk), action="update")
    assert (entry.actor, entry.via) == ("admin", "admin")
    assert not LogEntry.objects.filter(object_id=str(obj.pk)).exists()


def test_deleting_with_the_action_is_recorded_in_the_admin_log(client_as, family, rows):
    obj = rows["other"]["activitylog"]

    run_action(client_as("admin"), "activity.activitylog", "delete_selected", obj)

    assert LogEntry.objects.get(object_id=str(obj.pk)).is_deletion()
