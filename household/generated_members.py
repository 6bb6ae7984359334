"""The generated members of `generate_activity` and how many commands each says on each day.

They come in households of five (admin, user, two kids, a guest) with names from a fixed list,
marked {"generated": true} in their settings. `commands_spread` shares the rows to load out
over (day, member) by each role's habits, the weekday, the parental controls and chance.
"""

from __future__ import annotations

import math
import random

from household.command_catalog import AGENT_BY_ROLE, PARENTAL_CONTROLS, VOICES
from household.rows import Day, HouseholdRows, Member
from household.simulation import DAY_SECONDS, expected_daily_commands
from profiles.models import PermissionLevel, ResponseMode, UserProfile

GENERATED_MARKER = {"generated": True}
HOUSEHOLD_ROLES = ("admin", "user", "kid", "kid", "guest")
COMMANDS_PER_MEMBER_DAY = 25  # sizes the default number of profiles

_GIVEN_NAMES = (
    ("James", "Maria", "Daniel", "Aisha", "Lukas", "Priya", "Mateo", "Hannah", "Kenji", "Sofia", "Omar", "Ingrid"),
    ("Emma", "David", "Fatima", "Peter", "Chloe", "Arjun", "Lucia", "Noah", "Yuki", "Thomas", "Amara", "Erik"),
    ("Alex", "Mia", "Leo", "Zoe", "Sam", "Lily", "Max", "Ava", "Finn", "Nora", "Kai", "Ella"),
    ("Ben", "Ruby", "Oscar", "Isla", "Theo", "Maya", "Jonas", "Luna", "Ezra", "Ivy", "Milo", "Rosa"),
    ("Grandma", "Grandpa", "Aunt Lena", "Uncle Joe", "Nana", "Cousin Tim", "Babysitter Kim", "Uncle Raj"),
)
_SURNAMES = (
    "Moreno", "Schmidt", "Okafor", "Nakamura", "Larsen", "Patel", "Rossi", "Kowalski", "Dubois", "Haddad",
    "Silva", "Novak", "Andersen", "Murphy", "Garcia", "Kim", "Fischer", "Costa", "Ivanova", "Jensen",
)  # fmt: skip


def default_profile_count(*, rows: int, days: int) -> int:
    """Enough members for about COMMANDS_PER_MEMBER_DAY commands a day each, in whole households."""
    members = max(len(HOUSEHOLD_ROLES), math.ceil(rows / (days * COMMANDS_PER_MEMBER_DAY)))
    return math.ceil(members / len(HOUSEHOLD_ROLES)) * len(HOUSEHOLD_ROLES)


def _generated_name(index: int) -> str:
    household, slot = divmod(index, len(HOUSEHOLD_ROLES))
    given = _GIVEN_NAMES[slot][household % len(_GIVEN_NAMES[slot])]
    surname = _SURNAMES[household % len(_SURNAMES)]
    lap = household // len(_SURNAMES)
    return f"{given} {surname}" + (f" {lap + 1}" if lap else "")


def _generated_profile(index: int) -> UserProfile:
    household, slot = divmod(index, len(HOUSEHOLD_ROLES))
    role = HOUSEHOLD_ROLES[slot]
    voices = list(VOICES.values())
    return UserProfile(
        name=_generated_name(index),
        permission_level=role,
        voice_id=None if role == PermissionLevel.GUEST else voices[index % len(voices)],
        preferred_agent=AGENT_BY_ROLE[role],
        response_mode=(
            ResponseMode.TEXT_ONLY
            if role == PermissionLevel.GUEST or household % 7 == 3
            else (ResponseMode.VOICE_ONLY if role == PermissionLevel.KID else ResponseMode.BOTH)
        ),
        settings={**GENERATED_MARKER, "generated_index": index, "household": household, "wake_word": "hey tonny"},
        **PARENTAL_CONTROLS.get(role, {"usage_limits": {}}),
    )


def generated_profiles_ensure(*, count: int) -> list[UserProfile]:
    """The first `count` generated members (settings {"generated": true}), creating the missing ones.

    They come in households of five (admin, user, two kids, a guest). They get no
    logins: they exist to carry history, not to sign in.
    """
    existing = {
        profile.settings.get("generated_index"): profile
        for profile in UserProfile.objects.filter(settings__contains=GENERATED_MARKER)
    }
    missing = [_generated_profile(index) for index in range(count) if index not in existing]
    taken = set(UserProfile.objects.filter(name__in=[p.name for p in missing]).values_list("name", flat=True))
    for profile in missing:
        if profile.name in taken:
            profile.name = f"{profile.name} #{profile.settings['generated_index']}"
    UserProfile.objects.bulk_create(missing, batch_size=2000)
    for profile in missing:
        existing[profile.settings["generated_index"]] = profile
    return [existing[index] for index in range(count)]


def commands_spread(
    *, rows: HouseholdRows, count: int, members: list[Member], days: list[Day], seed: int
) -> list[tuple[Day, Member, int]]:
    """Spread `count` rows over (day, member) by habit, weekday and chance; every member gets at least one row."""
    rng = random.Random(seed)
    levels = [rng.lognormvariate(0, 0.35) for _ in members]
    weights = []
    for day in days:
        weekday = day.date.weekday()
        day_factor = day.limit / DAY_SECONDS
        for member_index, member in enumerate(members):
            present = member.role != PermissionLevel.GUEST or rng.random() < 0.3
            weight = expected_daily_commands(member.role, weekday) * levels[member_index] * day_factor
            weight *= rng.lognormvariate(0, 0.25) if present else 0.0
            rules = rows.day_rules(day, member)  # a day the parental controls leave no time for gets nothing
            weights.append(0.0 if rules is not None and not rules.windows_until(day.limit) else weight)
    total = sum(weights) or 1.0
    shares = [count * w / total for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: count - sum(counts)]:
        counts[i] += 1
    width = len(members)
    for member_index in range(width):
        cells = range(member_index, len(counts), width)
        if count >= width and not any(counts[i] for i in cells) and any(weights[i] for i in cells):
            counts[max(range(len(counts)), key=counts.__getitem__)] -= 1
            counts[max(cells, key=weights.__getitem__)] += 1
    return [(days[i // width], members[i % width], c) for i, c in enumerate(counts) if c]


def household_members(rows: HouseholdRows, profiles: list[UserProfile]) -> list[Member]:
    """The generated profiles as members; each household's admin resolves its errors."""
    admins = {}
    for profile in profiles:
        if profile.permission_level == PermissionLevel.ADMIN:
            admins.setdefault(profile.settings.get("household"), str(profile.pk))
    return [
        rows.member(
            profile,
            index=index,
            admin_id=admins.get(profile.settings.get("household"), next(iter(admins.values()), str(profile.pk))),
        )
        for index, profile in enumerate(profiles)
    ]
