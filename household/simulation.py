"""Days of a family member's commands, simulated from the habits in `household.command_catalog`.

Deterministic for a seed (and the same sequence of calls). The result is plain
tuples: the sample family (`household.samples`) turns them into model rows, the
generator (`household.generator`) into COPY text, so both tell the same story:
busy mornings and evenings, quiet nights, sessions of a few commands, second
turns that follow up the first, and a realistic share of failures.
"""

from __future__ import annotations

import math
import random
from typing import NamedTuple

from activity.models import CommandStatus
from household.command_catalog import (
    BLOCKED_CATEGORIES,
    CATEGORY_BY_NAME,
    FAILURE_BY_TYPE,
    ROLE_HABITS,
    SAID_PREFIXES,
    STUCK_RATE,
    Category,
    Failure,
    Phrase,
)

DAY_SECONDS = 86_400.0
POOL_SIZE = 4096
# Commands per session: mostly one to three, now and then a long conversation.
SESSION_SIZES = {1: 30, 2: 22, 3: 16, 4: 11, 5: 8, 6: 5, 7: 3, 8: 2, 10: 2, 12: 1}
FAVORITE_RATE = 0.02


class Timing(NamedTuple):
    processing_ms: int | None
    whisper_ms: int | None
    n8n_ms: int | None
    tts_ms: int | None


class SimulatedCommand(NamedTuple):
    at: float  # seconds after local midnight
    category: Category
    phrase: Phrase
    prefix: int  # index into SAID_PREFIXES: how the member started the sentence
    follow_up: bool  # a second turn of the command before it in the session
    status: str
    failure: Failure | None
    timing: int  # index into FamilySimulator.timings
    confidence: str | None  # transcription confidence as text ("0.93"); None before transcription
    favorite: bool

    @property
    def said(self) -> str:
        return SAID_PREFIXES[self.prefix] + self.phrase.said

    @property
    def finished(self) -> bool:
        return self.status in CommandStatus.finished()


class SimulatedSession(NamedTuple):
    start: float  # seconds after local midnight
    end: float
    device: str
    commands: list[SimulatedCommand]


def lottery(weights: dict, *, size: int = 1000) -> list:
    """A list in which each item appears in proportion to its weight: one random index draws one."""
    total = sum(weights.values())
    drawn = []
    for item, weight in weights.items():
        if weight > 0:
            drawn.extend([item] * max(1, round(size * weight / total)))
    return drawn


def expected_daily_commands(role: str, weekday: int) -> float:
    """Mean commands of a member of `role` on a day (weekday 0 = Monday)."""
    habits = ROLE_HABITS[role]
    return habits.daily_commands * (habits.weekend_factor if weekday >= 5 else 1.0)


def _lognormal(rng: random.Random, median: float, sigma: float, low: int, high: int) -> int:
    return int(min(high, max(low, rng.lognormvariate(math.log(median), sigma))))


class _RolePlan(NamedTuple):
    categories: list
    hours: list
    devices: list
    failures: list
    failure_rate: float
    follow_up_rate: float


class FamilySimulator:
    """Draws sessions and commands; every random choice comes from one seeded generator."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.timings: list[Timing] = []
        self._timing_ranges: dict[str, tuple[int, int]] = {}
        for kind in ("voice", "text", CommandStatus.PROCESSING, CommandStatus.PENDING, *FAILURE_BY_TYPE):
            start = len(self.timings)
            self.timings.extend(self._timing(kind) for _ in range(POOL_SIZE))
            self._timing_ranges[kind] = (start, POOL_SIZE)
        rng = self.rng
        self._confident = [f"{min(0.99, max(0.62, 0.99 - abs(rng.gauss(0, 0.07)))):.2f}" for _ in range(POOL_SIZE)]
        self._unsure = [f"{rng.uniform(0.2, 0.59):.2f}" for _ in range(POOL_SIZE)]
        self._sizes = lottery(SESSION_SIZES)
        self._blocked = [CATEGORY_BY_NAME[name] for name in BLOCKED_CATEGORIES]
        self._plans = {
            role: _RolePlan(
                categories=lottery({CATEGORY_BY_NAME[name]: w for name, w in habits.categories.items()}),
                hours=lottery(dict(enumerate(habits.hours)), size=2400),
                devices=lottery(habits.devices),
                failures=lottery({FAILURE_BY_TYPE[name]: w for name, w in habits.failures.items()}),
                failure_rate=habits.failure_rate,
                follow_up_rate=habits.follow_up_rate,
            )
            for role, habits in ROLE_HABITS.items()
        }

    def _timing(self, kind: str) -> Timing:
        """One realistic breakdown (milliseconds) for a command that ended as `kind`."""
        rng = self.rng
        whisper = _lognormal(rng, 320, 0.35, 80, 3000)
        overhead = rng.randint(15, 120)
        if kind == CommandStatus.PENDING:
            return Timing(None, None, None, None)
        if kind == CommandStatus.PROCESSING:
            return Timing(None, whisper, None, None)
        if kind == "transcription":
            whisper = _lognormal(rng, 650, 0.4, 150, 4000)
            return Timing(whisper + overhead, whisper, None, None)
        if kind == "blocked":
            return Timing(whisper + overhead, whisper, None, None)
        if kind == "n8n_error":
            n8n = _lognormal(rng, 250, 0.5, 30, 3000)
            return Timing(whisper + n8n + overhead, whisper, n8n, None)
        if kind == "device_unreachable":
            n8n = rng.randint(2000, 5000)
            return Timing(whisper + n8n + overhead, whisper, n8n, None)
        if kind == "timeout":
            n8n = 10_000 + rng.randint(0, 400)
            return Timing(whisper + n8n + overhead, whisper, n8n, None)
        n8n = _lognormal(rng, 450, 0.6, 40, 9000)
        if kind == "text":
            return Timing(whisper + n8n + overhead, whisper, n8n, None)
        tts = _lognormal(rng, 380, 0.4, 80, 4000) if kind == "voice" else rng.randint(100, 600)
        return Timing(whisper + n8n + tts + overhead, whisper, n8n, tts)

    def sessions(self, *, role: str, voice: bool, count: int, limit: float = DAY_SECONDS) -> list[SimulatedSession]:
        """`count` commands of one member of `role` on one day, grouped in sessions, in time order.

        `voice` says whether the member hears spoken answers (response mode other than
        text_only); `limit` is the last second of the day that may be used (now, for today).
        """
        if count <= 0:
            return []
        rand = self.rng.random
        plan = self._plans[role]
        session_sizes = self._sizes
        sizes, left = [], count
        while left > 0:
            size = min(left, session_sizes[int(rand() * len(session_sizes))])
            sizes.append(size)
            left -= size
        hours = plan.hours
        starts = sorted(hours[int(rand() * len(hours))] * 3600.0 + rand() * 3600.0 for _ in sizes)
        if limit < DAY_SECONDS:
            starts = [start * limit / DAY_SECONDS for start in starts]
        last = limit - 1.0
        timing_ranges = self._timing_ranges
        confident, unsure = self._confident, self._unsure
        categories, devices, failures = plan.categories, plan.devices, plan.failures
        category_count, device_count, failure_count = len(categories), len(devices), len(failures)
        follow_up_rate = plan.follow_up_rate
        blocked = self._blocked
        stuck_until = STUCK_RATE
        fail_until = STUCK_RATE + plan.failure_rate
        prefixes = len(SAID_PREFIXES)
        success, pending, processing = CommandStatus.SUCCESS, CommandStatus.PENDING, CommandStatus.PROCESSING
        result = []
        free_from = 0.0
        for start, size in zip(starts, sizes, strict=True):
            # Sessions follow one another unless the day is too full for that.
            at = max(start, free_from) if free_from + 600 < last else start
            at = min(at, last)
            session_start = max(0.0, at - 1.0 - rand() * 4.0)
            device = devices[int(rand() * device_count)]
            commands = []
            category = None
            for position in range(size):
                follow_up = False
                if position:
                    follow_ups = category.follow_ups  # type: ignore[union-attr]
                    follow_up = bool(follow_ups) and rand() < follow_up_rate
                    at = min(last, at + (2.0 + rand() * 10.0 if follow_up else 5.0 + rand() * 110.0))
                if follow_up:
                    phrase = follow_ups[int(rand() * len(follow_ups))]
                    prefix = 0
                else:
                    category = categories[int(rand() * category_count)]
                    phrase = category.phrases[int(rand() * len(category.phrases))]
                    prefix = int(rand() * prefixes)
                roll = rand()
                failure = None
                if roll < stuck_until:
                    status = kind = processing if rand() < 0.6 else pending
                elif roll < fail_until:
                    failure = failures[int(rand() * failure_count)]
                    status, kind = failure.status, failure.error_type
                    if kind == "blocked" and not follow_up:
                        category = blocked[int(rand() * len(blocked))]
                        phrase = category.phrases[int(rand() * len(category.phrases))]
                else:
                    status = success
                    kind = "voice" if voice and not category.typed else "text"
                base, span = timing_ranges[kind]
                if status == pending:
                    confidence = None
                elif kind == "transcription":
                    confidence = unsure[int(rand() * POOL_SIZE)]
                else:
                    confidence = confident[int(rand() * POOL_SIZE)]
                timing = base + int(rand() * span)
                favorite = status == success and rand() < FAVORITE_RATE
                commands.append(
                    SimulatedCommand(
                        at, category, phrase, prefix, follow_up, status, failure, timing, confidence, favorite
                    )
                )
            end = min(last + 0.999, at + 5.0 + rand() * 35.0)
            free_from = end + 60.0 + rand() * 1800.0
            result.append(SimulatedSession(session_start, end, device, commands))
        return result
