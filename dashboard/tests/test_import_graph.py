"""The dashboard app sits at the top of the import graph, beside household: no other app imports it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OTHER_PACKAGES = ("profiles", "activity", "telemetry", "history", "household", "tonnysite")


def imports_dashboard(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        if any(name == "dashboard" or name.startswith("dashboard.") for name in names):
            return True
    return False


@pytest.mark.parametrize("package", OTHER_PACKAGES)
def test_no_other_app_imports_the_dashboard(package):
    assert [str(p.relative_to(ROOT)) for p in sorted((ROOT / package).rglob("*.py")) if imports_dashboard(p)] == []
