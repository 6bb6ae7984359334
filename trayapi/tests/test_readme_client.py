"""The README's tray client plays its part against a running server: the script as printed there."""

import re
import subprocess
import sys

import pytest

from profiles.models import UserProfile
from tonnysite.env import BASE_DIR

pytestmark = pytest.mark.django_db(transaction=True)


def readme_script() -> str:
    text = (BASE_DIR / "README.md").read_text()
    [script] = re.findall(r"```python\n(# tray_client\.py.*?)```", text, flags=re.DOTALL)
    return script


@pytest.mark.parametrize("limit", [None, 0], ids=["allowed", "refused then asks a parent"])
def test_the_readme_tray_client_runs_against_the_server(household, live_server, tmp_path, limit):
    if limit is not None:
        UserProfile.objects.filter(pk=household.kid.pk).update(usage_limits={"daily_limit_minutes": limit})
    script = tmp_path / "tray_client.py"
    script.write_text(readme_script())

    result = subprocess.run(  # noqa: S603  (the README's script, our interpreter)
        [sys.executable, str(script), "--url", live_server.url, "--token", household.api.token, "--member", "Alex"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "member: Alex" in out and "asked again: 304" in out
    assert "'stored': 1" in out and "'duplicates': 1" in out
    assert "session ended after" in out
    if limit is None:
        assert "policy: True (allowed)" in out
    else:
        assert "policy: False (daily_limit_reached)" in out and "asked a parent: pending" in out
