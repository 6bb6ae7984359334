"""Helpers shared by test modules (a test module never imports another)."""

import os
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings

from tonnysite.env import BASE_DIR

# The family admin that sign-in tests sign in as (the `parent_login` fixture makes it), and a wrong password.
PARENT_USERNAME = "parent"
PARENT_PASSWORD = "right-horse-battery-staple"  # noqa: S105  (tests only)
WRONG_PASSWORD = "wrong-guess-7f3c9a"  # noqa: S105  (tests only)


def database_url_of_this_run() -> str:
    """A DATABASE_URL for the server this test run uses (a TCP address or the embedded server's socket)."""
    db = settings.DATABASES["default"]
    user = quote(db["USER"], safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    if db["HOST"].startswith("/"):
        return f"postgres://{user}{password}@/{db['NAME']}?host={quote(db['HOST'])}"
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def python_run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run this interpreter with `args` in the project folder, with exactly `env` as its environment."""
    return subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def home_setting(name: str, **env: str) -> str:
    """The value of a setting under tonnysite.settings.local (the settings `make run` serves with),
    in a fresh interpreter whose environment has none of DEBUG, TIME_ZONE or TZ unless given."""
    unset = ("DEBUG", "DJANGO_SETTINGS_MODULE", "TIME_ZONE", "TZ")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(DJANGO_SETTINGS_MODULE="tonnysite.settings.local", DATABASE_URL=database_url_of_this_run(), **env)
    result = python_run(["-c", f"from django.conf import settings; print(settings.{name})"], clean)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def family_with_logins(password: str) -> dict:
    """A member with a login per role (username = role, name "Kid Member"...), and "other", a user
    without a login whose rows only a family admin sees."""
    from profiles.models import PermissionLevel
    from profiles.services import family_member_create

    members = {
        role: family_member_create(
            name=f"{role.capitalize()} Member", permission_level=role, username=role, password=password
        )
        for role in PermissionLevel.values
    }
    members["other"] = family_member_create(name="Other Member", permission_level=PermissionLevel.USER)
    return members
