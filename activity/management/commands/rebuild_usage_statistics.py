"""Recompute usage statistics exactly from activity_logs (after plain-SQL writes)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from activity.services import usage_statistics_rebuild
from profiles.models import UserProfile
from tonnysite.safe_input import day_problem, text_problem

BAD_INPUT = 2


def parse_day(value: str | None, *, option: str) -> date | None:
    """--since / --until as a day we accept, or CommandError (exit status 2) in one line."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        shown = value[:40] if not text_problem(value) else ascii(value[:40])
        raise CommandError(f"{option} “{shown}” is not a date: use YYYY-MM-DD.", returncode=BAD_INPUT) from None
    if problem := day_problem(day):
        raise CommandError(f"{option} {day} {problem}.", returncode=BAD_INPUT)
    return day


class Command(BaseCommand):
    help = (
        "Recompute usage_statistics, last_active_at and session counters from the activity rows. "
        "Idempotent; reports how many statistics rows changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="First local day (YYYY-MM-DD); default: the earliest")
        parser.add_argument("--until", help="Last local day (YYYY-MM-DD); default: the latest")
        parser.add_argument("--profile", action="append", metavar="NAME", help="Only this profile (repeatable)")

    def handle(self, *args, since, until, profile, **options):
        since, until = parse_day(since, option="--since"), parse_day(until, option="--until")
        if since and until and since > until:
            raise CommandError(f"--since {since} is after --until {until}.", returncode=BAD_INPUT)
        profile_ids = None
        if profile:
            found = dict(UserProfile.objects.filter(name__in=profile).values_list("name", "pk"))
            missing = sorted(set(profile) - set(found))
            if missing:
                raise CommandError(f"No profile named {', '.join(map(ascii, missing))}.", returncode=BAD_INPUT)
            profile_ids = list(found.values())
        result = usage_statistics_rebuild(
            since=since, until=until, profile_ids=profile_ids, progress=lambda line: self.stdout.write(line)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Usage statistics rebuilt: {result.inserted} inserted, {result.updated} updated, "
                f"{result.deleted} deleted ({result.changed} changed)."
            )
        )
