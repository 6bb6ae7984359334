"""The generator skips row triggers only when no trigger of ours fires on INSERT."""

import pytest
from django.db import connection

from household.copy_load import _may_skip_row_triggers
from telemetry.models import Setting

pytestmark = pytest.mark.django_db

TABLES = ("activity_logs", "sessions", "system_events")


@pytest.fixture
def trigger_on_system_events():
    def create(events: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION pg_temp.history_note() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RETURN NULL; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER history_note AFTER {events} ON system_events "
                "FOR EACH ROW EXECUTE FUNCTION pg_temp.history_note()"
            )

    return create


def may_skip() -> bool:
    with connection.cursor() as cursor:
        return _may_skip_row_triggers(cursor, TABLES)


def test_tables_with_only_foreign_key_triggers_may_skip_them():
    assert may_skip()


def test_an_update_or_delete_trigger_keeps_the_fast_path(trigger_on_system_events):
    trigger_on_system_events("UPDATE OR DELETE")
    assert may_skip()


@pytest.mark.parametrize("events", ["INSERT", "INSERT OR UPDATE", "UPDATE OR INSERT OR DELETE"])
def test_a_trigger_that_fires_on_insert_turns_the_fast_path_off(trigger_on_system_events, events):
    trigger_on_system_events(events)
    assert not may_skip()


def test_the_privacy_trigger_keeps_the_fast_path_only_while_commands_are_logged():
    Setting.objects.create(key="privacy.log_commands", value=True, category="privacy")
    logged = may_skip()
    Setting.objects.filter(key="privacy.log_commands").update(value=False)

    assert (logged, may_skip()) == (True, False)
