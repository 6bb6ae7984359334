import factory
from factory.django import DjangoModelFactory

from quickactions.models import QuickAction


class QuickActionFactory(DjangoModelFactory):
    class Meta:
        model = QuickAction

    id = factory.Sequence(lambda n: f"action_{n}")
    display_name = factory.Sequence(lambda n: f"Action {n}")
    icon = "⭐"
    command_sequence = factory.List(["turn on the lights", "play some music"])
    metadata = factory.Dict({"category": "routines"})
