"""The apps form one ordered stack: each imports only the shared layer and the apps below it.

The order is INSTALLED_APPS' (docs/architecture.md draws it). Every import counts, also one inside a
function and in an app's own tests; migrations are history and may name any app. Cross-app tests live
in tests/, above every app. Only the URL configuration (which mounts the apps) and the settings (which
list them) reach up from the shared layer.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from tonnysite.env import BASE_DIR

# Bottom to top. tonnysite is the shared layer under every app.
LAYERS = (
    "tonnysite", "history", "profiles", "telemetry", "activity", "quickactions", "parental", "dashboard", "trayapi",
    "operations", "household",
)  # fmt: skip
MOUNTS_THE_APPS = {Path("tonnysite/urls.py")}


def modules_imported_by(source: str, filename: str = "<module>") -> set[str]:
    tree = ast.parse(source, filename=filename)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def layer_modules():
    for layer in LAYERS:
        for path in sorted((BASE_DIR / layer).rglob("*.py")):
            relative = path.relative_to(BASE_DIR)
            if "migrations" in relative.parts or "settings" in relative.parts or relative in MOUNTS_THE_APPS:
                continue
            yield relative


LAYER_MODULES = list(layer_modules())


def imports_from_above(relative: Path, source: str) -> set[str]:
    """The modules `source` (the text of the module at `relative`) imports from layers above its own."""
    own = LAYERS.index(relative.parts[0])
    return {name for name in modules_imported_by(source, str(relative)) if name.split(".")[0] in LAYERS[own + 1 :]}


@pytest.mark.parametrize("relative", LAYER_MODULES, ids=str)
def test_a_module_imports_only_its_own_layer_and_those_below(relative):
    above = imports_from_above(relative, (BASE_DIR / relative).read_text())

    assert above == set(), f"{relative} imports from above its layer: {sorted(above)}"


def test_an_import_inside_a_function_against_the_order_is_found():
    source = "from profiles.models import UserProfile\n\n\ndef today():\n    from activity.models import ActivityLog\n"

    assert imports_from_above(Path("profiles/selectors.py"), source) == {"activity.models"}
    assert imports_from_above(Path("dashboard/selectors.py"), source) == set()


def test_installed_apps_list_the_family_apps_in_the_order_of_the_stack():
    family_apps = [app for app in settings.INSTALLED_APPS if app in LAYERS]

    assert family_apps == list(LAYERS[1:])


def test_the_walk_reaches_every_layer():
    assert {relative.parts[0] for relative in LAYER_MODULES} == set(LAYERS)


TEST_MODULES = sorted(
    path.relative_to(BASE_DIR) for folder in ("tests", *LAYERS[1:]) for path in (BASE_DIR / folder).rglob("test_*.py")
)


@pytest.mark.parametrize("relative", TEST_MODULES, ids=str)
def test_a_test_module_imports_no_other_test_module(relative):
    # Shared helpers live in helpers.py, seed_queries.py, factories.py or a conftest.py fixture.
    imported = modules_imported_by((BASE_DIR / relative).read_text(), str(relative))

    assert {name for name in imported if name.rsplit(".", 1)[-1].startswith("test_")} == set()


def test_every_folder_of_tests_is_collected_by_make_test():
    import tomllib

    testpaths = set(
        tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    )
    folders = {path.parent.parent.name for path in BASE_DIR.glob("*/tests/__init__.py")} | {"tests"}

    assert folders <= testpaths, folders - testpaths
