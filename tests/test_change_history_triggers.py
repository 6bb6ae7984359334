"""The change history is written by the database: whoever writes (a service, a command, plain SQL)
leaves one entry with who, when, before and after, and no secret ever lands in it."""

import psycopg
import pytest
from django.db import connection

from history.context import acting_as, process_actor
from history.models import Change, ChangeChannel
from profiles.models import UserProfile
from profiles.services import pin_set, profile_save
from profiles.tests.factories import UserProfileFactory
from telemetry.models import Setting
from telemetry.services import setting_update
from telemetry.tests.factories import SettingFactory

pytestmark = pytest.mark.django_db


def changes_of(obj, action="update"):
    return list(Change.objects.filter(table_name=obj._meta.db_table, row_id=str(obj.pk), action=action))


def test_a_service_called_directly_records_one_change_with_before_and_after():
    kid = UserProfileFactory(name="Alex", permission_level="kid", usage_limits={"daily_limit_minutes": 60})

    kid.usage_limits = {"daily_limit_minutes": 90}
    profile_save(profile=kid)

    [entry] = changes_of(kid)
    assert entry.changes == {
        "usage_limits": {"before": {"daily_limit_minutes": 60}, "after": {"daily_limit_minutes": 90}}
    }
    assert (entry.actor, entry.via) == process_actor()
    assert entry.member_name == "Alex"
    assert entry.changed_at is not None


def test_a_change_made_acting_as_a_device_names_the_device():
    kid = UserProfileFactory(permission_level="kid")

    with acting_as(actor="kitchen speaker", via=ChangeChannel.API):
        kid.is_active = False
        profile_save(profile=kid)

    [entry] = changes_of(kid)
    assert (entry.actor, entry.via) == ("kitchen speaker", "api")


def test_after_acting_as_the_process_is_the_author_again():
    kid = UserProfileFactory(permission_level="kid")
    with acting_as(actor="kitchen speaker", via=ChangeChannel.API):
        pass

    kid.voice_id = "voice-2"
    profile_save(profile=kid)

    assert changes_of(kid)[0].actor == process_actor()[0]


def test_adding_and_deleting_a_profile_are_recorded_with_what_it_held():
    profile = UserProfileFactory(name="Grandma", permission_level="guest")
    profile_id = str(profile.pk)

    profile.delete()

    [added] = Change.objects.filter(row_id=profile_id, action="insert")
    [deleted] = Change.objects.filter(row_id=profile_id, action="delete")
    assert added.changes["name"] == {"after": "Grandma"}
    assert deleted.changes["permission_level"] == {"before": "guest"}
    assert deleted.member_name == "Grandma"


def test_setting_and_clearing_a_pin_is_recorded_without_the_hash():
    kid = UserProfileFactory(permission_level="kid")

    pin_set(profile=kid, pin="4821")
    pin_set(profile=kid, pin=None)

    set_, cleared = sorted(changes_of(kid), key=lambda change: change.pk)
    assert set_.changes == {"pin_hash": {"hidden": True, "before": False, "after": True}}
    assert cleared.changes == {"pin_hash": {"hidden": True, "before": True, "after": False}}
    assert "$2" not in str(list(Change.objects.values_list("changes", flat=True)))


def test_a_sensitive_setting_history_never_holds_its_value():
    secret = SettingFactory(key="n8n.api_key", value="sk-first", default_value="sk-default", is_sensitive=True)

    setting_update(setting=secret, value="sk-second")
    Setting.objects.filter(pk=secret.pk).update(default_value="sk-new-default")

    entries = Change.objects.filter(table_name="settings", row_id="n8n.api_key").order_by("pk")
    stored = str([entry.changes for entry in entries])
    assert [entry.action for entry in entries] == ["insert", "update", "update"]
    assert entries[1].changes == {"value": {"hidden": True, "before": True, "after": True}}
    for value in ("sk-first", "sk-default", "sk-second", "sk-new-default"):
        assert value not in stored


def test_a_setting_made_sensitive_hides_the_value_it_is_given_in_the_same_change():
    plain = SettingFactory(key="ui.token", value="visible", is_sensitive=False)

    Setting.objects.filter(pk=plain.pk).update(is_sensitive=True, value='"sk-now-secret"')

    [entry] = changes_of(plain)
    assert entry.changes["value"] == {"hidden": True, "before": True, "after": True}
    assert "sk-now-secret" not in str(entry.changes)


def test_a_plain_setting_change_shows_the_values():
    plain = SettingFactory(key="ui.theme", value="dark")

    setting_update(setting=plain, value="light")

    assert changes_of(plain)[0].changes == {"value": {"before": "dark", "after": "light"}}


def test_an_update_of_bookkeeping_columns_only_records_nothing():
    profile = UserProfileFactory()

    UserProfile.objects.filter(pk=profile.pk).update(last_active_at="2026-11-20T10:00:00Z")

    assert changes_of(profile) == []


def test_an_update_that_changes_nothing_records_nothing():
    profile = UserProfileFactory()

    profile_save(profile=profile)

    assert changes_of(profile) == []


def test_the_history_is_append_only():
    profile = UserProfileFactory()

    with pytest.raises(Exception, match="never edited"), connection.cursor() as cursor:
        cursor.execute("UPDATE change_history SET actor = 'someone else' WHERE row_id = %s", [str(profile.pk)])


@pytest.mark.django_db(transaction=True)
def test_plain_sql_from_another_client_is_recorded_with_its_database_user_and_application():
    kid = UserProfileFactory(name="Alex", permission_level="kid", is_active=True)
    settings = connection.settings_dict

    with psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
        application_name="tonnytray-tray 1.4.2",
        autocommit=True,
    ) as tray:
        tray.execute("UPDATE user_profiles SET is_active = false WHERE id = %s", [kid.pk])
        tray.execute("SELECT set_config('tonny.actor', 'living-room tray', false)")
        tray.execute("UPDATE user_profiles SET is_active = true WHERE id = %s", [kid.pk])

    first, second = sorted(changes_of(kid), key=lambda change: change.pk)
    assert first.changes == {"is_active": {"before": True, "after": False}}
    assert (first.actor, first.via, first.client) == (settings["USER"], "sql", "tonnytray-tray 1.4.2")
    assert (second.actor, second.via) == ("living-room tray", "sql")


def test_values_of_a_setting_made_sensitive_are_hidden_in_its_history(db):
    Setting.objects.create(key="elevenlabs.api_key", value="sk-early-clear-7731", category="voice")
    Setting.objects.filter(key="elevenlabs.api_key").update(value="sk-second-clear-9902")
    with connection.cursor() as cursor:  # plain SQL makes it sensitive: the trigger hides the past anyway
        cursor.execute("SELECT changes::text FROM change_history WHERE table_name = 'settings'")
        before = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("UPDATE settings SET is_sensitive = true WHERE key = 'elevenlabs.api_key'")
        cursor.execute("SELECT changes::text FROM change_history WHERE table_name = 'settings'")
        after = " ".join(row[0] for row in cursor.fetchall())

    assert "sk-early-clear-7731" in before and "sk-second-clear-9902" in before
    assert "sk-early-clear-7731" not in after and "sk-second-clear-9902" not in after
    assert '"hidden": true' in after and '"before": true' in after


def test_the_history_stays_append_only_for_every_other_edit(db):
    Setting.objects.create(key="ui.theme", value="dark", category="ui")
    with connection.cursor() as cursor, pytest.raises(Exception, match="never edited"):
        cursor.execute(
            """UPDATE change_history SET changes = '{"value": {"before": null, "after": "light"}}'
               WHERE table_name = 'settings'"""
        )
