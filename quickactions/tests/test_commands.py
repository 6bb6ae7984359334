"""manage.py quick_actions_export and quick_actions_import: round trips, previews, all or nothing."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from history.models import Change
from quickactions.models import QuickAction
from quickactions.tests.factories import QuickActionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def awkward_actions():
    QuickActionFactory(
        id="colours",
        display_name="@Colours, please",
        icon="🌈",
        command_sequence=["set the lights to red, green and blue", "=1+1", "'quoted'", 'say "hi"'],
        description="two\nlines",
        metadata={"category": "lights", "nested": {"a": [1, 2]}},
    )
    QuickActionFactory(
        id="quiet", icon=None, description=None, is_enabled=False, required_permission="admin", metadata={}
    )


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_export_then_import_changes_nothing(tmp_path, awkward_actions, file_format):
    path = tmp_path / f"actions.{file_format}"
    call_command("quick_actions_export", str(path), format=file_format)
    before = (list(QuickAction.objects.order_by("pk").values()), Change.objects.count())

    call_command("quick_actions_import", str(path))

    assert (list(QuickAction.objects.order_by("pk").values()), Change.objects.count()) == before


def test_import_creates_the_actions_of_another_household(tmp_path, awkward_actions):
    path = tmp_path / "actions.json"
    call_command("quick_actions_export", str(path))
    exported = list(QuickAction.objects.order_by("pk").values("id", "command_sequence", "metadata"))
    QuickAction.objects.all().delete()

    call_command("quick_actions_import", str(path))

    assert list(QuickAction.objects.order_by("pk").values("id", "command_sequence", "metadata")) == exported


def test_dry_run_shows_the_preview_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "actions.json"
    path.write_text(json.dumps([{"id": "fresh", "display_name": "Fresh", "command_sequence": ["a, b"]}]))

    call_command("quick_actions_import", str(path), dry_run=True)

    assert "create  fresh" in capsys.readouterr().out
    assert not QuickAction.objects.exists()


def test_a_bad_row_exits_non_zero_names_row_and_field_and_changes_nothing(tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text("id,display_name,commands,required_permission\nok,Ok,lights on,user\nok2,Ok,lights on,root\n")

    with pytest.raises(CommandError, match="Row 2, required_permission") as raised:
        call_command("quick_actions_import", str(path))

    assert raised.value.returncode == 2
    assert not QuickAction.objects.exists()


@pytest.mark.parametrize("content", ["not,a,quick\naction,file,x\n", '{"id": 1}', "\xff"])
def test_a_malformed_file_exits_non_zero(tmp_path, content):
    path = tmp_path / "actions.txt"
    path.write_bytes(content.encode("latin-1") if content == "\xff" else content.encode())

    with pytest.raises(CommandError, match="The file"):
        call_command("quick_actions_import", str(path))
