"""`manage.py load_samples`: the documented household, idempotent, a reset that spares the family's own rows."""

from collections import Counter
from datetime import timedelta

import jsonschema
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, CommandStatus, Session, UsageStatistic
from activity.tests.factories import ActivityLogFactory
from activity.tests.oracle import expected_statistics, stored_statistics
from household.sample_family import SAMPLE_DAYS, SAMPLE_PASSWORDS, SAMPLE_PIN
from profiles.models import FamilyLogin, UserProfile
from profiles.services import pin_verify
from profiles.tests.factories import UserProfileFactory
from quickactions.models import QuickAction
from quickactions.tests.factories import QuickActionFactory
from telemetry.models import Notification, Setting, SystemEvent
from telemetry.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

SNAPSHOT_MODELS = (
    UserProfile,
    QuickAction,
    Setting,
    ActivityLog,
    CommandHistory,
    Session,
    UsageStatistic,
    SystemEvent,
    Notification,
    FamilyLogin,
    get_user_model(),
)


def load_samples(*args):
    call_command("load_samples", "--force", *args)


def snapshot(models=SNAPSHOT_MODELS) -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def sample(model, column="metadata"):
    return model.objects.filter(**{f"{column}__contains": {"sample": True}})


def test_household_is_dad_mom_alex_and_guest_with_their_roles():
    load_samples()
    household = dict(UserProfile.objects.values_list("name", "permission_level"))
    assert household == {"Dad": "admin", "Mom": "user", "Alex": "kid", "Guest": "guest"}


def test_every_member_has_voice_agent_response_mode_and_marked_settings():
    load_samples()
    members = {p.name: p for p in UserProfile.objects.all()}
    assert {name: p.response_mode for name, p in members.items()} == {
        "Dad": "both",
        "Mom": "voice_only",
        "Alex": "voice_only",
        "Guest": "text_only",
    }
    assert all(p.preferred_agent and p.settings.get("sample") is True for p in members.values())
    assert [name for name, p in members.items() if p.voice_id is None] == ["Guest"]


def test_alex_has_parental_controls_and_usage_limits():
    load_samples()
    alex = UserProfile.objects.get(name="Alex")
    assert alex.usage_limits == {
        "daily_limit_minutes": 60,
        "allowed_hours": [7, 21],
        "school_day_limit": 30,
        "weekend_limit": 90,
    }
    assert "* tell me *" in alex.allowed_commands
    assert "front door" in alex.blocked_commands
    assert alex.pin_hash.startswith("$2b$")


def test_sample_kid_pin_verifies():
    load_samples()
    assert pin_verify(profile=UserProfile.objects.get(name="Alex"), pin=SAMPLE_PIN)


def test_wrong_pin_does_not_verify_for_the_sample_kid():
    load_samples()
    assert not pin_verify(profile=UserProfile.objects.get(name="Alex"), pin="4321")


def test_sample_logins_sign_in_with_their_documented_passwords():
    load_samples()
    logins = {login.user.username: login for login in FamilyLogin.objects.select_related("user", "profile")}
    assert {username: login.profile.name for username, login in logins.items()} == {
        "dad": "Dad",
        "mom": "Mom",
        "alex": "Alex",
    }
    assert all(login.user.check_password(SAMPLE_PASSWORDS[username]) for username, login in logins.items())


def test_five_quick_actions_with_sequences_icons_categories_and_permissions():
    load_samples()
    actions = {a.id: a for a in QuickAction.objects.all()}
    assert set(actions) == {"good_morning", "goodnight", "movie_time", "im_home", "dinner_time"}
    assert all(a.command_sequence and a.icon and a.is_enabled for a in actions.values())
    assert {a.id: a.metadata["category"] for a in actions.values()} == {
        "good_morning": "routines",
        "goodnight": "routines",
        "movie_time": "entertainment",
        "im_home": "presence",
        "dinner_time": "family",
    }
    assert {a.id: a.required_permission for a in actions.values()} == {
        "good_morning": "user",
        "goodnight": "kid",
        "movie_time": "kid",
        "im_home": "user",
        "dinner_time": "user",
    }


def test_tray_settings_exist_with_values_that_satisfy_their_schemas():
    load_samples()
    # The family's calendar (family.country, family.holidays) and the alerts' thresholds come from
    # migrations, not the samples.
    settings = {s.key: s for s in Setting.objects.exclude(category__in=["family", "alerts"])}
    assert set(settings) == {
        "server.url", "server.model", "server.language", "server.auto_start", "n8n.webhook_url",
        "elevenlabs.api_key", "elevenlabs.default_voice_id", "ui.theme", "ui.notification_position",
        "audio.input_device", "audio.output_device", "audio.vad_sensitivity", "hotkeys.push_to_talk",
        "hotkeys.toggle_recording", "privacy.log_commands", "privacy.log_retention_days",
    }  # fmt: skip
    for setting in settings.values():
        jsonschema.validate(setting.value, setting.validation_schema)
        assert setting.default_value == setting.value
        assert setting.category and setting.description
    assert [key for key, s in settings.items() if s.is_sensitive] == ["elevenlabs.api_key"]


def test_elevenlabs_key_is_a_placeholder_that_says_so():
    load_samples()
    assert "not-a-real-key" in Setting.objects.get(key="elevenlabs.api_key").value


def test_history_covers_the_last_weeks_with_every_kind_of_row():
    load_samples()
    today = timezone.localdate()
    days = {timezone.localtime(moment).date() for moment in ActivityLog.objects.values_list("timestamp", flat=True)}
    assert min(days) == today - timedelta(days=SAMPLE_DAYS - 1)
    assert max(days) <= today
    for model, column in (
        (ActivityLog, "metadata"),
        (CommandHistory, "execution_metadata"),
        (Session, "metadata"),
        (SystemEvent, "metadata"),
        (Notification, "metadata"),
    ):
        assert sample(model, column).count() == model.objects.count() > 0, model.__name__


def test_every_finished_sample_command_has_its_command_history_row():
    load_samples()
    finished = Counter(
        ActivityLog.objects.filter(status__in=CommandStatus.finished()).values_list(
            "profile_id", "timestamp", "command_text"
        )
    )
    history = Counter(CommandHistory.objects.values_list("profile_id", "timestamp", "raw_transcription"))
    assert finished == history


def test_sample_activity_names_its_session_and_device():
    load_samples()
    sessions = set(Session.objects.values_list("pk", flat=True))
    for metadata in ActivityLog.objects.values_list("metadata", flat=True):
        assert metadata["device"]
        assert metadata["session_id"] in {str(pk) for pk in sessions}


def test_sample_statistics_equal_a_recomputation():
    load_samples()
    assert stored_statistics() == expected_statistics()


def test_sample_days_and_statistics_follow_the_family_time_zone(settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    load_samples()
    days = {timezone.localtime(moment).date() for moment in ActivityLog.objects.values_list("timestamp", flat=True)}
    assert min(days) == timezone.localdate() - timedelta(days=SAMPLE_DAYS - 1)
    assert stored_statistics() == expected_statistics()


def test_second_run_changes_nothing():
    load_samples()
    before = snapshot()
    load_samples()
    assert snapshot() == before


def test_second_run_says_nothing_changed(capsys):
    load_samples()
    load_samples()
    assert "nothing changed" in capsys.readouterr().out


def test_reset_restores_edited_sample_data():
    load_samples()
    before = snapshot()
    UserProfile.objects.filter(name="Alex").update(usage_limits={"daily_limit_minutes": 999})
    QuickAction.objects.filter(pk="goodnight").update(is_enabled=False)
    sample(ActivityLog).filter(status="success").first().delete()
    load_samples("--reset")
    assert UserProfile.objects.get(name="Alex").usage_limits["daily_limit_minutes"] == 60
    assert QuickAction.objects.get(pk="goodnight").is_enabled is True
    # Today's part follows the clock; the days before it come back exactly.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    assert [row for row in snapshot()["ActivityLog"] if row["timestamp"] < midnight] == [
        row for row in before["ActivityLog"] if row["timestamp"] < midnight
    ]
    assert stored_statistics() == expected_statistics()


def test_reset_leaves_the_familys_own_rows_alone():
    own_member = UserProfileFactory(name="Grandpa Joe")
    own_activity = ActivityLogFactory(profile=own_member)
    own_action = QuickActionFactory(id="good_morning", metadata={"category": "mine"})
    own_notification = NotificationFactory(profile=own_member)
    load_samples()
    dad = UserProfile.objects.get(name="Dad")
    dads_own_command = ActivityLogFactory(profile=dad, metadata={"device": "default_mic"})
    kept = snapshot()
    load_samples("--reset")
    assert UserProfile.objects.filter(pk=own_member.pk).values().get() == next(
        row for row in kept["UserProfile"] if row["id"] == own_member.pk
    )
    assert set(ActivityLog.objects.filter(pk__in=[own_activity.pk, dads_own_command.pk]).values_list("pk", flat=True))
    assert QuickAction.objects.get(pk=own_action.pk).metadata == {"category": "mine"}
    assert Notification.objects.filter(pk=own_notification.pk).exists()
    assert stored_statistics() == expected_statistics()


def test_a_family_profile_named_like_a_sample_member_stops_the_load():
    UserProfileFactory(name="Dad")
    with pytest.raises(CommandError, match="not sample data"):
        load_samples()
    assert not QuickAction.objects.exists()


def test_if_empty_loads_into_a_database_without_profiles():
    load_samples("--if-empty")
    assert UserProfile.objects.count() == 4


def test_if_empty_leaves_a_database_with_profiles_alone():
    UserProfileFactory()
    load_samples("--if-empty")
    assert UserProfile.objects.count() == 1
    assert not ActivityLog.objects.exists()


def test_refuses_to_run_under_production_settings_unless_forced(settings):
    settings.TONNY_DEPLOYMENT = "server"
    with pytest.raises(CommandError, match="production settings"):
        call_command("load_samples")
    assert not UserProfile.objects.exists()
