"""What the benchmarks that need a big database share: a scratch database, filled once.

Import after `django.setup()`.
"""

import statistics
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client

from profiles.models import UserProfile
from profiles.services import family_login_create, family_member_create

PASSWORD = "bench-admin-pages-5e1d"  # noqa: S105  (a scratch database's throwaway login)


def scratch_database_require() -> None:
    """Stop unless the database is a scratch one (its name starts with "bench"): benchmarks fill it."""
    database = settings.DATABASES["default"]["NAME"]
    if not database.startswith("bench"):
        sys.exit(f"Refusing to run on {database!r}: use a scratch database whose name starts with 'bench'.")


def activity_rows_ensure(rows: int) -> int:
    """Migrate, then generate activity (a year, 12 members) until there are `rows`; return how many."""
    # An empty scratch database gets the schema first (a no-op when it is up to date).
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM activity_logs")
        have = cursor.fetchone()[0]
    if have < rows:
        print(f"Generating {rows - have:,} more activity rows (have {have:,}); not timed...", flush=True)
        # --force: DEBUG is off here (so timings are not those of a debug server), and the
        # guard it overrides is already kept by refusing databases not named bench*.
        call_command("generate_activity", rows=rows - have, days=365, profiles=12, seed=have + 1, force=True)
        have = rows
        # What autovacuum does soon after a bulk load: the visibility map lets counts use index-only scans.
        print("VACUUM ANALYZE of the loaded tables (not timed)...", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) activity_logs, command_history, sessions, system_events, usage_statistics")
    return have


def login_for(name: str, role: str, *, username: str) -> None:
    """A login of `role` for the benchmarks: a generated member's, or a new member's when there is none."""
    if get_user_model().objects.filter(username=username).exists():
        return
    profile = UserProfile.objects.filter(permission_level=role, login__isnull=True, settings__generated=True).first()
    if profile is None:
        family_member_create(name=name, permission_level=role, username=username, password=PASSWORD)
    else:
        family_login_create(profile=profile, username=username, password=PASSWORD)


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile of `values` (inclusive method: p50 of two values is their mean)."""
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]
