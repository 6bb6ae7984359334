"""Every public service is keyword-only and fully typed (the HackSoft style the project follows)."""

import inspect

import pytest

from activity import services as activity_services
from profiles import services as profiles_services
from telemetry import services as telemetry_services


def public_functions(module):
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if not name.startswith("_") and function.__module__ == module.__name__:
            yield name, inspect.unwrap(function)


SERVICES = [
    (f"{module.__name__}.{name}", function)
    for module in (profiles_services, activity_services, telemetry_services)
    for name, function in public_functions(module)
]


@pytest.mark.parametrize(("name", "function"), SERVICES, ids=[name for name, _ in SERVICES])
def test_service_is_keyword_only_and_typed(name, function):
    signature = inspect.signature(function)
    positional = [
        p.name for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    untyped = [p.name for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert positional == [], f"{name} takes {positional} by position"
    assert untyped == [], f"{name} has untyped parameters {untyped}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} has no return type"
