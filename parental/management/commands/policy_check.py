"""Ask the policy decision for a member, a command and a moment: what parents and scripts see."""

from __future__ import annotations

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parental.rules import policy_decide
from profiles.models import UserProfile
from profiles.selectors import member_by_name_or_id
from tonnysite.clock import family_zone
from tonnysite.safe_input import moment_problem, text_problem

BAD_INPUT = 2  # exit status for bad input; 0 allowed, 1 refused


def moment_parse(text: str | None) -> datetime | None:
    """--at as an aware moment: with an offset as given, without one on the family's wall clock."""
    if text is None:
        return None
    if problem := text_problem(text):
        raise CommandError(f"--at {problem}.", returncode=BAD_INPUT)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"--at “{text[:40]}” is not a time: write it like 2026-11-28T20:30 (the family's zone, "
            f"{family_zone().key}) or 2026-11-28T20:30+01:00.",
            returncode=BAD_INPUT,
        ) from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=family_zone())
    if problem := moment_problem(moment):
        raise CommandError(f"--at “{text[:40]}” {problem}.", returncode=BAD_INPUT)
    return moment.astimezone(family_zone())


def member_find(text: str) -> UserProfile:
    """The profile named `text` (any case) or with the id `text`."""
    if not text.strip() or text_problem(text):
        raise CommandError("MEMBER is a family member's name or id.", returncode=BAD_INPUT)
    profile = member_by_name_or_id(text)
    if profile is None:
        raise CommandError(f"No family member is called or has the id “{text.strip()[:100]}”.", returncode=BAD_INPUT)
    return profile


class Command(BaseCommand):
    help = (
        "Say whether a family member may run a command now (or --at a moment), why, and when that "
        "changes. Exit status: 0 allowed, 1 refused, 2 bad input."
    )

    def add_arguments(self, parser):
        parser.add_argument("member", help="The member's name or id")
        parser.add_argument("command", help="The command as the member would say it, in quotes")
        parser.add_argument(
            "--at", help="The moment, e.g. 2026-11-28T20:30 (the family's zone unless it has an offset); default now"
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args, member, command, at, json: bool, **options):
        moment = moment_parse(at)
        if not command.strip() or text_problem(command):
            raise CommandError("COMMAND is the text of a command, not empty.", returncode=BAD_INPUT)
        profile = member_find(member)
        decision = policy_decide(profile=profile, command=command, at=moment)
        if json:
            self.stdout.write(_json_dumps({"member": profile.name, "command": command, **decision.to_json()}))
        else:
            self.stdout.write(_in_words(profile, command, decision))
        if not decision.allowed:
            raise SystemExit(1)


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _in_words(profile: UserProfile, command: str, decision) -> str:
    zone = family_zone()
    when = decision.moment.astimezone(zone)
    verb = "may run" if decision.allowed else "may not run"
    lines = [
        f"{profile.name} {verb} “{command}” at {when:%a %d %b %Y %H:%M} ({zone.key}).",
        f"  reason:  {decision.reason}",
        f"  rule:    {decision.rule}",
        f"  message: {decision.message}",
        "  until:   "
        + (f"{decision.until.astimezone(zone):%a %d %b %Y %H:%M} ({zone.key})" if decision.until else "-"),
    ]
    if decision.minutes_used is not None:
        limit = f" of {decision.limit_minutes}" if decision.limit_minutes is not None else ""
        lines.append(f"  used today: {decision.minutes_used:.0f}{limit} min")
    return "\n".join(lines)
