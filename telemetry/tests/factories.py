import factory
from factory.django import DjangoModelFactory

from telemetry.models import EventSeverity, Notification, Setting, SystemEvent


class SystemEventFactory(DjangoModelFactory):
    class Meta:
        model = SystemEvent

    event_type = "whisper_error"
    severity = EventSeverity.ERROR
    component = "whisper"
    message = "Model failed to load"


class SettingFactory(DjangoModelFactory):
    class Meta:
        model = Setting

    key = factory.Sequence(lambda n: f"test.setting_{n}")
    value = "value"
    category = "test"


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    notification_type = "usage_limit"
    title = "Daily limit reached"
    message = "Alex has used 60 minutes today."
