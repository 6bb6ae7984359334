"""The shared machinery in tonnysite/ depends on no app: apps build on it, never the other way round.

Only the settings (which list the apps) and the URL configuration (which mounts them) may name them.
"""

import ast
from pathlib import Path

import pytest

from tonnysite.env import BASE_DIR

APPS = {"profiles", "activity", "telemetry", "household", "operations", "dashboard", "history", "trayapi"}
ALLOWED = {Path("tonnysite/urls.py")}


def modules_imported_by(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


SHARED_MODULES = sorted(
    path.relative_to(BASE_DIR)
    for path in (BASE_DIR / "tonnysite").rglob("*.py")
    if "settings" not in path.relative_to(BASE_DIR).parts and path.relative_to(BASE_DIR) not in ALLOWED
)


@pytest.mark.parametrize("relative", SHARED_MODULES, ids=str)
def test_shared_module_imports_no_app(relative):
    imported = modules_imported_by(BASE_DIR / relative)

    assert {name for name in imported if name.split(".")[0] in APPS} == set()


def test_the_walk_finds_the_admin_machinery():
    assert Path("tonnysite/familyadmin/scoping.py") in SHARED_MODULES


TEST_MODULES = sorted(
    path.relative_to(BASE_DIR)
    for folder in (
        "tests",
        "profiles",
        "activity",
        "telemetry",
        "household",
        "operations",
        "dashboard",
        "history",
        "trayapi",
    )
    for path in (BASE_DIR / folder).rglob("test_*.py")
)


@pytest.mark.parametrize("relative", TEST_MODULES, ids=str)
def test_a_test_module_imports_no_other_test_module(relative):
    # Shared helpers live in helpers.py, seed_queries.py, factories.py or a conftest.py fixture.
    imported = modules_imported_by(BASE_DIR / relative)

    assert {name for name in imported if name.rsplit(".", 1)[-1].startswith("test_")} == set()


def test_every_folder_of_tests_is_collected_by_make_test():
    import tomllib

    testpaths = set(
        tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    )
    folders = {path.parent.parent.name for path in BASE_DIR.glob("*/tests/__init__.py")} | {"tests"}

    assert folders <= testpaths, folders - testpaths
