"""The household app sits at the top of the import graph: it imports the other apps, none imports it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOWER_PACKAGES = ("profiles", "activity", "telemetry", "tonnysite")


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", LOWER_PACKAGES)
def test_no_lower_app_imports_household(package):
    importers = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / package).rglob("*.py"))
        if any(name == "household" or name.startswith("household.") for name in imported_modules(path))
    ]
    assert importers == []
