import factory
from factory.django import DjangoModelFactory

from profiles.models import PermissionLevel, QuickAction, UserProfile


class UserProfileFactory(DjangoModelFactory):
    class Meta:
        model = UserProfile

    name = factory.Sequence(lambda n: f"Member {n}")
    permission_level = PermissionLevel.USER
    voice_id = factory.Sequence(lambda n: f"voice_{n}")
    preferred_agent = "home_assistant"


class QuickActionFactory(DjangoModelFactory):
    class Meta:
        model = QuickAction

    id = factory.Sequence(lambda n: f"action_{n}")
    display_name = factory.Sequence(lambda n: f"Action {n}")
    icon = "⭐"
    command_sequence = factory.List(["turn on the lights", "play some music"])
    metadata = factory.Dict({"category": "routines"})
