"""Recompute usage statistics exactly from activity_logs (after plain-SQL writes)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from activity.services import usage_statistics_rebuild
from profiles.models import UserProfile


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Recompute usage_statistics, last_active_at and session counters from the activity rows. "
        "Idempotent; reports how many statistics rows changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=parse_day, help="First local day (YYYY-MM-DD); default: the earliest")
        parser.add_argument("--until", type=parse_day, help="Last local day (YYYY-MM-DD); default: the latest")
        parser.add_argument("--profile", action="append", metavar="NAME", help="Only this profile (repeatable)")

    def handle(self, *args, since, until, profile, **options):
        if since and until and since > until:
            raise CommandError(f"--since {since} is after --until {until}.")
        profile_ids = None
        if profile:
            found = dict(UserProfile.objects.filter(name__in=profile).values_list("name", "pk"))
            missing = sorted(set(profile) - set(found))
            if missing:
                raise CommandError(f"No profile named {', '.join(map(repr, missing))}.")
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
