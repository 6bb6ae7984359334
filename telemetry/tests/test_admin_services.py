"""Settings writes (schema, read-only, sensitivity), resolving system events and the notification queue,
through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from profiles.tests.factories import UserProfileFactory
from telemetry.models import Notification, SystemEvent
from telemetry.services import (
    notifications_delete,
    notifications_retry,
    setting_reset_to_default,
    setting_update,
    setting_value_parse,
    system_events_resolve,
)
from telemetry.tests.factories import NotificationFactory, SettingFactory, SystemEventFactory
from tonnysite.markers import KEEP

pytestmark = pytest.mark.django_db


def test_setting_update_keeps_the_value_when_unchanged():
    setting = SettingFactory(value="dark")
    setting.description = "Theme"

    setting_update(setting=setting, value=KEEP)

    setting.refresh_from_db()
    assert (setting.value, setting.description) == ("dark", "Theme")


@pytest.mark.parametrize("text", ["", "  \n", None])
def test_a_blank_value_as_typed_means_keep_the_current_one(text):
    assert setting_value_parse(text=text) is KEEP


def test_a_value_as_typed_is_json_postgresql_can_store():
    assert setting_value_parse(text=' "dark" ') == "dark"
    with pytest.raises(ValidationError, match="not JSON"):
        setting_value_parse(text="dark")
    with pytest.raises(ValidationError, match="NUL"):
        setting_value_parse(text='"\\u0000"')


def test_setting_update_checks_the_value_against_the_schema():
    setting = SettingFactory(value=5, validation_schema={"type": "integer", "minimum": 0})

    with pytest.raises(ValidationError) as error:
        setting_update(setting=setting, value=-1)

    assert "value" in error.value.message_dict


def test_setting_update_stores_an_empty_list():
    setting = SettingFactory(value=["a"])

    setting_update(setting=setting, value=[])

    setting.refresh_from_db()
    assert setting.value == []


def test_setting_update_refuses_a_read_only_setting():
    setting = SettingFactory(value=1, is_user_editable=False)

    with pytest.raises(ValidationError, match="read-only"):
        setting_update(setting=setting, value=2)


def test_the_app_may_update_a_setting_that_is_read_only_to_people():
    setting = SettingFactory(value="2026-01-01", is_user_editable=False, validation_schema={"type": "string"})

    setting_update(setting=setting, value="2026-02-01", by_the_app=True)

    setting.refresh_from_db()
    assert (setting.value, setting.is_user_editable) == ("2026-02-01", False)


def test_the_app_writing_a_read_only_setting_still_meets_its_schema():
    setting = SettingFactory(value="2026-01-01", is_user_editable=False, validation_schema={"type": "string"})

    with pytest.raises(ValidationError):
        setting_update(setting=setting, value=20260201, by_the_app=True)


def test_setting_update_refuses_to_unmask_a_sensitive_setting():
    setting = SettingFactory(value="secret", is_sensitive=True)
    setting.is_sensitive = False

    with pytest.raises(ValidationError):
        setting_update(setting=setting)


def test_setting_update_records_who_changed_it():
    setting = SettingFactory(value=1)
    parent = UserProfileFactory()

    setting_update(setting=setting, value=2, updated_by=parent)

    setting.refresh_from_db()
    assert setting.updated_by == parent


def test_reset_to_default_needs_a_default():
    setting = SettingFactory(value=1, default_value=None)

    with pytest.raises(ValidationError, match="no default"):
        setting_reset_to_default(setting=setting)


def test_reset_to_default_checks_the_default_against_the_schema():
    setting = SettingFactory(value=1, default_value="one", validation_schema={"type": "integer"})

    with pytest.raises(ValidationError):
        setting_reset_to_default(setting=setting)


def test_resolving_events_records_who_and_when():
    parent = UserProfileFactory()
    SystemEventFactory.create_batch(2)

    resolved = system_events_resolve(events=SystemEvent.objects.all(), resolved_by=parent)

    assert len(resolved) == 2
    assert set(SystemEvent.objects.values_list("resolved_by", flat=True)) == {parent.pk}
    assert SystemEvent.objects.filter(resolved_at__isnull=True).count() == 0


def test_sending_again_starts_a_given_up_notification_afresh_from_now():
    later = timezone.now() + timedelta(hours=2)
    given_up = NotificationFactory(
        retry_count=3, scheduled_for=later, metadata={"channel": "push", "failed": True, "error": "timed out"}
    )

    assert notifications_retry(notifications=Notification.objects.all()) == 1

    given_up.refresh_from_db()
    assert (given_up.retry_count, given_up.metadata, given_up.sent_at) == (0, {"channel": "push"}, None)
    assert given_up.scheduled_for <= timezone.now()


def test_sending_again_leaves_a_sent_notification_as_it_was():
    sent_at = timezone.now() - timedelta(hours=1)
    sent = NotificationFactory(sent_at=sent_at, retry_count=1)

    assert notifications_retry(notifications=Notification.objects.all()) == 0

    sent.refresh_from_db()
    assert (sent.sent_at, sent.retry_count) == (sent_at, 1)


def test_deleting_notifications_takes_only_the_chosen_ones_out_of_the_queue():
    chosen, kept = NotificationFactory(), NotificationFactory()

    assert notifications_delete(notifications=Notification.objects.filter(pk=chosen.pk)) == 1

    assert list(Notification.objects.values_list("pk", flat=True)) == [kept.pk]
