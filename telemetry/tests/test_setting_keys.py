"""The settings carry the keys the tray reads, on new databases (samples) and old ones (migration)."""

import pytest
from django.core.management import call_command
from django.db.models import Q

from telemetry.models import Setting
from tests.sql import sql_rows

# Exactly the keys the tray reads.
TRAY_KEYS = {
    "server.url", "server.model", "server.language", "server.auto_start", "n8n.webhook_url",
    "elevenlabs.api_key", "elevenlabs.default_voice_id", "ui.theme", "ui.notification_position",
    "audio.input_device", "audio.output_device", "audio.vad_sensitivity", "hotkeys.push_to_talk",
    "hotkeys.toggle_recording", "privacy.log_commands", "privacy.log_retention_days",
}  # fmt: skip
# The family's calendar, read by the parental controls (migration 0007 adds them).
FAMILY_KEYS = {"family.country", "family.holidays"}
# Settings of the app itself that migrations add: the calendar, and the alerts' thresholds (operations 0001).
APP_KEYS = Q(key__in=FAMILY_KEYS) | Q(key__startswith="alerts.")


@pytest.mark.django_db
def test_sample_settings_use_exactly_the_tray_keys():
    call_command("load_samples", "--force", verbosity=0)
    # The family's calendar keys come from a migration (absent after a test database flush).
    assert set(Setting.objects.exclude(APP_KEYS).values_list("key", flat=True)) == TRAY_KEYS


@pytest.mark.django_db(transaction=True)
def test_migration_renames_old_keys_and_keeps_a_value_the_tray_wrote():
    call_command("migrate", "telemetry", "0005", verbosity=0)
    try:
        sql_rows(
            "INSERT INTO settings (key, value) VALUES "
            "('elevenlabs.default_voice', '\"old_voice\"'), "
            "('privacy.logging_enabled', 'false'), "
            "('privacy.retention_days', '30'), "
            "('privacy.log_retention_days', '7'), "
            "('ui.theme', '\"dark\"')"
        )
    finally:
        # Every app forward again: going back also unapplied what depends on telemetry (the history triggers).
        call_command("migrate", verbosity=0)
    values = dict(Setting.objects.exclude(APP_KEYS).values_list("key", "value"))
    assert values == {
        "elevenlabs.default_voice_id": "old_voice",
        "privacy.log_commands": False,
        # The tray's own row wins; the old one stays as it was.
        "privacy.log_retention_days": 7,
        "privacy.retention_days": 30,
        "ui.theme": "dark",
    }


@pytest.mark.django_db(transaction=True)
def test_migration_adds_the_family_calendar_keys_and_keeps_a_value_the_family_set():
    call_command("migrate", "telemetry", "0006", verbosity=0)
    try:
        Setting.objects.filter(key__in=FAMILY_KEYS).delete()
        sql_rows("INSERT INTO settings (key, value) VALUES ('family.country', '\"FR\"')")
    finally:
        call_command("migrate", verbosity=0)  # every app: going back also took the history triggers
    calendar = {s.key: s for s in Setting.objects.filter(key__in=FAMILY_KEYS)}
    assert calendar["family.country"].value == "FR"
    assert calendar["family.holidays"].validation_schema["type"] == "array"
    assert calendar["family.holidays"].value == [] and calendar["family.holidays"].category == "family"
