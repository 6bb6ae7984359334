"""What the benchmarks that need a big database share: a scratch database, filled once.

Import after `bench.start.django_start()`.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from household.generated_members import GENERATED_MARKER, default_profile_count
from profiles.models import UserProfile
from profiles.services import family_login_create, family_member_create

PASSWORD = "bench-admin-pages-5e1d"  # noqa: S105  (a scratch database's throwaway login)
# What the policy benchmarks ask about: allowed, blocked and unlisted commands of the controls below.
POLICY_COMMANDS = [
    "play music", "Play some music!", "tell me a joke", "buy a new game", "what's the weather", "goodnight",
]  # fmt: skip


def scratch_database_require() -> None:
    """Stop unless the database is a scratch one (its name starts with "bench"): benchmarks fill it."""
    database = settings.DATABASES["default"]["NAME"]
    if not database.startswith("bench"):
        sys.exit(f"Refusing to run on {database!r}: use a scratch database whose name starts with 'bench'.")


# The two shapes of a filled database (--shape): a family of 12 over a year (every member very busy),
# or many households over 90 days (generate_activity's own default: 4,445 members at 10 M rows).
SHAPES = {"family": {"days": 365, "members": lambda rows: 12}, "many": {"days": 90, "members": None}}


def shape_members(shape: str, rows: int) -> int:
    """How many generated members a database of `rows` activity rows has in `shape`."""
    members = SHAPES[shape]["members"]
    return members(rows) if members else default_profile_count(rows=rows, days=SHAPES[shape]["days"])


def activity_rows_ensure(rows: int, shape: str = "family") -> int:
    """Migrate, then generate activity in `shape` (SHAPES) until there are `rows`; return how many.

    Only on a scratch database (`scratch_database_require`); one already filled in another shape
    stops the script, as its figures would be those of the other shape.
    """
    scratch_database_require()
    # An empty scratch database gets the schema first (a no-op when it is up to date).
    call_command("migrate", verbosity=0)
    have = activity_rows_count()
    members = shape_members(shape, rows)
    generated = UserProfile.objects.filter(settings__contains=GENERATED_MARKER).count()
    if have and generated != members:
        sys.exit(
            f"This database has {generated:,} generated members, the {shape!r} shape of {rows:,} rows has "
            f"{members:,}: use another scratch database (or the other --shape)."
        )
    if have < rows:
        print(f"Generating {rows - have:,} more activity rows (have {have:,}, {shape} shape); not timed...", flush=True)
        # --force: DEBUG is off here (so timings are not those of a debug server), and the
        # guard it overrides is already kept by refusing databases not named bench*.
        call_command(
            "generate_activity", rows=rows - have, days=SHAPES[shape]["days"], profiles=members, seed=have + 1,
            force=True,
        )  # fmt: skip
        have = rows
        # What autovacuum does soon after a bulk load: the visibility map lets counts use index-only scans.
        print("VACUUM ANALYZE of the loaded tables (not timed)...", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) activity_logs, command_history, sessions, system_events, usage_statistics")
    return have


def activity_rows_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM activity_logs")
        return cursor.fetchone()[0]


def activity_logs_size() -> str:
    """The size of activity_logs with its indexes, as PostgreSQL prints it ("1234 MB")."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('activity_logs'))")
        return cursor.fetchone()[0]


def server_version() -> str:
    """PostgreSQL's version line up to its first comma ("PostgreSQL 15.2 on x86_64-pc-linux-gnu")."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        return cursor.fetchone()[0].split(",")[0]


@contextmanager
def rolled_back() -> Iterator[None]:
    """A transaction rolled back at the end, so what the benchmark set up leaves the database as it was."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def login_for(name: str, role: str, *, username: str) -> None:
    """A login of `role` for the benchmarks: a generated member's, or a new member's when there is none."""
    if get_user_model().objects.filter(username=username).exists():
        return
    profile = UserProfile.objects.filter(permission_level=role, login__isnull=True, settings__generated=True).first()
    if profile is None:
        family_member_create(name=name, permission_level=role, username=username, password=PASSWORD)
    else:
        family_login_create(profile=profile, username=username, password=PASSWORD)


def storages_without_manifest() -> dict:
    """STORAGES with static files named as they are, for timing pages in a fresh clone.

    The settings' whitenoise storage needs the manifest `collectstatic` writes; without it every
    page that names a static file fails. Without the manifest a static URL is a plain join instead
    of a lookup in a dict held in memory, so the page's own work is what the figures measure.
    """
    return {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def answered_200_require(response, page: str) -> None:
    """Stop the run, naming `page`, when it answered anything but 200: its time would be an error page's."""
    if response.status_code != 200:
        sys.exit(f"{page} answered HTTP {response.status_code}, not 200: stopping (its time would be an error page's).")


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


H = 60


def busiest_members_controls(*, count: int, rng) -> list[tuple]:
    """Give the `count` members with the most sessions parental controls (limits, windows that cross
    into the evening, command lists) and an open session now; return their (id, sessions) pairs."""
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from activity.models import Session  # noqa: PLC0415
    from parental.services import parental_controls_save  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT profile_id, count(*) FROM sessions WHERE profile_id IS NOT NULL "
            "GROUP BY profile_id ORDER BY count(*) DESC LIMIT %s",
            [count],
        )
        busiest = cursor.fetchall()
    now = timezone.now()
    for profile_id, _ in busiest:
        parental_controls_save(
            profile=UserProfile.objects.get(pk=profile_id),
            daily_limit_minutes=60,
            school_day_limit=45,
            weekend_limit=120,
            windows={"school_day": [(7 * H, 7 * H + 45), (15 * H, 21 * H)], "weekend": [(8 * H, 22 * H + 30)]},
            allowed_commands=["play music", "play * music", "tell me a joke", "what's the weather", "goodnight"],
            blocked_commands=["buy", "order", "unlock the front door"],
        )
        # An open session now, so "now" decisions count one up to the moment.
        if not Session.objects.filter(profile_id=profile_id, ended_at=None).exists():
            Session.objects.create(profile_id=profile_id, started_at=now - timedelta(minutes=rng.randint(1, 90)))
    return busiest
