import factory
from factory.django import DjangoModelFactory

from profiles.models import PermissionLevel, UserProfile


class UserProfileFactory(DjangoModelFactory):
    class Meta:
        model = UserProfile

    name = factory.Sequence(lambda n: f"Member {n}")
    permission_level = PermissionLevel.USER
    voice_id = factory.Sequence(lambda n: f"voice_{n}")
    preferred_agent = "home_assistant"
