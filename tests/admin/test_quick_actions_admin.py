"""Quick actions in the admin: the list, bulk actions, the bulk-edit page, one action's form, import and export."""

import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity.tests.factories import CommandHistoryFactory
from history.models import Change
from quickactions.models import QuickAction
from quickactions.tests.factories import QuickActionFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db

CHANGELIST = url("quickactions.quickaction", "changelist")
BULK_ACTIONS = {
    "enable_selected": {},
    "disable_selected": {},
    "set_permission_selected": {"permission": "kid"},
    "set_category_selected": {"category": "evening"},
    "duplicate_selected": {},
}


def many_actions(count: int) -> list[str]:
    QuickActionFactory.create_batch(count, is_enabled=True)
    return list(QuickAction.objects.values_list("pk", flat=True))


def post_queries(client, data) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(CHANGELIST, data)
    assert response.status_code in (200, 302)
    return len(queries)


def test_list_shows_category_commands_and_uses_of_the_last_30_days(client_as, family):
    QuickActionFactory(id="good_morning", display_name="Good morning", metadata={"category": "routines"})
    for days in (1, 2, 40):
        CommandHistoryFactory(quick_action_id="good_morning", timestamp=timezone.now() - datetime.timedelta(days=days))

    response = client_as("admin").get(CHANGELIST)

    row = next(r for r in response.context["cl"].result_list if r.pk == "good_morning")
    assert (row.recent_uses, row.command_count) == (2, 2)
    assert "routines" in response.content.decode()


@pytest.mark.parametrize(("params", "expected"), [({"category": "evening"}, ["b"]), ({"category": "-"}, ["c"])])
def test_list_filters_by_category(client_as, family, params, expected):
    QuickActionFactory(id="a", metadata={"category": "routines"})
    QuickActionFactory(id="b", metadata={"category": "evening"})
    QuickActionFactory(id="c", metadata={})

    response = client_as("admin").get(CHANGELIST, params)

    assert [r.pk for r in response.context["cl"].result_list] == expected


def test_a_category_filter_with_a_nul_character_answers_400(client_as, family):
    assert client_as("admin").get(CHANGELIST, {"category": "a\x00b"}).status_code == 400


@pytest.mark.parametrize("action", sorted(BULK_ACTIONS))
def test_bulk_action_query_count_does_not_grow_with_rows(client_as, family, action):
    client = client_as("admin")
    few = many_actions(5)
    few_queries = post_queries(
        client, {"action": action, "_selected_action": few, "index": "0", **BULK_ACTIONS[action]}
    )
    QuickAction.objects.filter(id__contains="_copy").delete()

    many = many_actions(195)
    assert len(many) == 200
    many_queries = post_queries(
        client, {"action": action, "_selected_action": many, "index": "0", **BULK_ACTIONS[action]}
    )

    assert many_queries == few_queries


def test_delete_with_confirmation_query_count_does_not_grow_with_rows(client_as, family):
    client = client_as("admin")
    counts = []
    for count in (5, 200):
        ids = many_actions(count)
        counts.append(post_queries(client, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}))
        assert not QuickAction.objects.exists()

    assert counts[0] == counts[1]


@pytest.mark.parametrize("step", ["", "preview", "apply"])
def test_bulk_edit_page_query_count_does_not_grow_with_rows(client_as, family, step):
    client = client_as("admin")
    data = {"action": "bulk_edit_selected", "required_permission": "kid", "change_icon": "on", "icon": "🌙"}
    counts = []
    for count in (5, 200):
        QuickAction.objects.all().delete()
        ids = many_actions(count)
        selected = {"_selected_action": ids, **({"_step": step} if step else {"index": "0"})}
        counts.append(post_queries(client, {**data, **selected}))

    assert counts[0] == counts[1]


def test_bulk_edit_preview_shows_before_and_after_and_changes_nothing(client_as, family):
    QuickActionFactory(id="a", display_name="Alpha", required_permission="user")

    response = client_as("admin").post(
        CHANGELIST,
        {"action": "bulk_edit_selected", "_selected_action": ["a"], "_step": "preview", "required_permission": "kid"},
    )

    page = response.content.decode()
    assert "required permission" in page and "<td>User</td><td>Kid</td>" in page
    assert QuickAction.objects.get(pk="a").required_permission == "user"


def test_bulk_edit_apply_changes_every_selected_action_and_records_each_once(client_as, family):
    QuickActionFactory(id="a", metadata={"category": "x", "colour": "red"})
    QuickActionFactory(id="b")
    QuickActionFactory(id="untouched")

    client_as("admin").post(
        CHANGELIST,
        {
            "action": "bulk_edit_selected",
            "_selected_action": ["a", "b"],
            "_step": "apply",
            "change_category": "on",
            "category": "evening",
            "is_enabled": "off",
        },
    )

    assert dict(QuickAction.objects.values_list("pk", "is_enabled")) == {"a": False, "b": False, "untouched": True}
    assert QuickAction.objects.get(pk="a").metadata == {"category": "evening", "colour": "red"}
    changes = Change.objects.filter(table_name="quick_actions", action="update")
    assert sorted(changes.values_list("row_id", flat=True)) == ["a", "b"]


def test_bulk_edit_without_a_change_says_so(client_as, family):
    QuickActionFactory(id="a")

    response = client_as("admin").post(
        CHANGELIST, {"action": "bulk_edit_selected", "_selected_action": ["a"], "_step": "apply"}
    )

    assert response.status_code == 200
    assert "Choose at least one thing to change." in response.content.decode()


def action_form(**changes) -> dict:
    data = {
        "id": "colours",
        "display_name": "Colours",
        "icon": "🌈",
        "category": "lights",
        "command_sequence": "set the lights to red, green and blue\nplay some music",
        "description": "",
        "is_enabled": "on",
        "required_permission": "kid",
    }
    return {**data, **changes}


def test_a_command_with_commas_stays_one_command(client_as, family):
    response = client_as("admin").post(url("quickactions.quickaction", "add"), action_form())

    assert response.status_code == 302
    action = QuickAction.objects.get(pk="colours")
    assert action.command_sequence == ["set the lights to red, green and blue", "play some music"]
    assert action.metadata == {"category": "lights"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"command_sequence": "lights on\n\nmusic"}, "Command 2 is empty"),
        ({"command_sequence": ",,,"}, None),
        ({"command_sequence": ""}, "A quick action needs at least one command."),
        ({"id": "Good Morning"}, "lowercase letters a–z, digits 0–9 and underscores"),
    ],
)
def test_the_form_explains_a_bad_sequence_or_id(client_as, family, changes, message):
    response = client_as("admin").post(url("quickactions.quickaction", "add"), action_form(**changes))

    if message is None:  # commas are text: ",,," is one (odd) command, not four empty ones
        assert QuickAction.objects.get(pk="colours").command_sequence == [",,,"]
        return
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "did not validate" not in response.content.decode()


def test_reordering_commands_in_the_form_saves_the_new_order(client_as, family):
    QuickActionFactory(id="colours", command_sequence=["first", "second"], required_permission="kid")
    data = action_form(command_sequence="second\nfirst")
    data.pop("id")

    client_as("admin").post(url("quickactions.quickaction", "change", "colours"), data)

    assert QuickAction.objects.get(pk="colours").command_sequence == ["second", "first"]


def test_a_user_switches_an_action_of_their_level_in_the_list_but_cannot_rename_it(client_as, family):
    QuickActionFactory(id="bedtime", display_name="Bedtime", required_permission="kid", is_enabled=True)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": "bedtime",
        "form-0-display_name": "Renamed",
        "form-0-icon": "x",
        "form-0-required_permission": "guest",
        "_save": "Save",
    }

    client_as("user").post(CHANGELIST, data)

    action = QuickAction.objects.get(pk="bedtime")
    assert (action.is_enabled, action.display_name, action.required_permission) == (False, "Bedtime", "kid")


def test_a_family_admin_edits_name_icon_and_permission_in_the_list(client_as, family):
    QuickActionFactory(id="bedtime", display_name="Bedtime", required_permission="kid", is_enabled=True)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": "bedtime",
        "form-0-display_name": "Sleep time",
        "form-0-icon": "🌙",
        "form-0-is_enabled": "on",
        "form-0-required_permission": "guest",
        "_save": "Save",
    }

    client_as("admin").post(CHANGELIST, data)

    action = QuickAction.objects.get(pk="bedtime")
    assert (action.display_name, action.icon, action.required_permission) == ("Sleep time", "🌙", "guest")


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("user", 403), ("kid", 403)])
def test_only_a_family_admin_opens_the_import_page(client_as, family, role, status):
    assert client_as(role).get(url("quickactions.quickaction", "import")).status_code == status


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("user", 200), ("kid", 403)])
def test_export_opens_for_the_roles_that_see_the_list(client_as, family, role, status):
    assert client_as(role).get(url("quickactions.quickaction", "export")).status_code == status


def upload(client, name: str, content: str, **extra):
    handle = io.BytesIO(content.encode())
    handle.name = name
    return client.post(url("quickactions.quickaction", "import"), {"file": handle, **extra})


def test_import_preview_lists_what_changes_and_changes_nothing(client_as, family):
    QuickActionFactory(id="kept", display_name="Old name", command_sequence=["a"])
    rows = [
        {"id": "kept", "display_name": "New name", "command_sequence": ["a"]},
        {"id": "fresh", "display_name": "Fresh", "command_sequence": ["lights on, dimmed"]},
    ]

    response = upload(client_as("admin"), "actions.json", json.dumps(rows))

    plan = response.context["plan"]
    assert ([r["id"] for r in plan.to_create], [c.action_id for c in plan.to_change]) == (["fresh"], ["kept"])
    assert "<td>Old name</td><td>New name</td>" in response.content.decode()
    assert list(QuickAction.objects.values_list("pk", flat=True)) == ["kept"]


def test_import_with_a_bad_row_names_it_and_offers_no_import(client_as, family):
    content = "id,display_name,commands\ngood,Good,lights on\nBad Id,Bad,lights on\ndup,Dup,\n"

    response = upload(client_as("admin"), "actions.csv", content)

    page = response.content.decode()
    assert "Row 2, id:" in page and "Row 3, command_sequence:" in page
    assert "Import all of it" not in page
    assert not QuickAction.objects.exists()


def test_import_confirmation_applies_the_file(client_as, family):
    content = 'id,display_name,commands\ngood,Good,"lights on, dimmed\nmusic"\n'

    response = client_as("admin").post(
        url("quickactions.quickaction", "import"), {"_apply": "1", "format": "csv", "content": content}
    )

    assert response.status_code == 302
    assert QuickAction.objects.get(pk="good").command_sequence == ["lights on, dimmed", "music"]


def test_import_of_a_malformed_file_says_so(client_as, family):
    response = upload(client_as("admin"), "actions.json", "[{")

    assert response.status_code == 200
    assert "The file: is not valid JSON" in response.content.decode()


@pytest.mark.parametrize("name", ["export", "export_json"])
def test_export_then_import_through_the_admin_changes_nothing(client_as, family, name):
    QuickActionFactory(
        id="tricky",
        display_name="=cmd|' /C calc'!A0",
        icon=None,
        command_sequence=["set the lights to red, green and blue", "-1", "'quoted"],
        description="line one\nline two",
        metadata={"category": "+lights", "colour": "blue"},
    )
    QuickActionFactory(id="plain", is_enabled=False, required_permission="guest")
    client = client_as("admin")
    response = client.get(url("quickactions.quickaction", name))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    before = Change.objects.count()

    preview = upload(client, f"actions.{'json' if name == 'export_json' else 'csv'}", content.decode())

    plan = preview.context["plan"]
    assert (plan.to_create, plan.to_change, sorted(plan.unchanged)) == ([], [], ["plain", "tricky"])
    assert Change.objects.count() == before
