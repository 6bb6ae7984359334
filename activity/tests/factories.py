from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from activity.models import ActivityLog, CommandHistory, CommandStatus, Session, UsageStatistic
from profiles.tests.factories import UserProfileFactory


class ActivityLogFactory(DjangoModelFactory):
    class Meta:
        model = ActivityLog

    profile = factory.SubFactory(UserProfileFactory)
    timestamp = factory.LazyFunction(timezone.now)
    command_text = factory.Sequence(lambda n: f"turn on the kitchen lights {n}")
    transcription_confidence = Decimal("0.93")
    response_text = "Done."
    status = CommandStatus.SUCCESS
    processing_time_ms = 850
    whisper_time_ms = 300
    n8n_time_ms = 400
    tts_time_ms = 150
    metadata = factory.Dict({"model": "base", "device": "default_mic"})


class CommandHistoryFactory(DjangoModelFactory):
    class Meta:
        model = CommandHistory

    profile = factory.SubFactory(UserProfileFactory)
    timestamp = factory.LazyFunction(timezone.now)
    command = "turn on the kitchen lights"
    raw_transcription = "turn on the kitchen lights"
    normalized_command = "lights.on kitchen"
    command_category = "lights"
    n8n_workflow_id = "wf_lights"
    n8n_status_code = 200
    n8n_response_time_ms = 320


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    profile = factory.SubFactory(UserProfileFactory)
    started_at = factory.LazyFunction(timezone.now)
    client_version = "1.0.0"
    client_platform = "linux"


class UsageStatisticFactory(DjangoModelFactory):
    class Meta:
        model = UsageStatistic

    profile = factory.SubFactory(UserProfileFactory)
    date = factory.LazyFunction(lambda: timezone.localdate())
