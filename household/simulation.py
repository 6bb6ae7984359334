"""Days of a family member's commands, simulated from the habits in `household.command_catalog`.

Deterministic for a seed (and the same sequence of calls). The result is plain
tuples: the sample family (`household.samples`) turns them into model rows, the
generator (`household.copy_load`) into COPY text, so both tell the same story:
busy mornings and evenings, quiet nights, sessions of a few commands, second
turns that follow up the first, and a realistic share of failures.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import NamedTuple

from activity.models import CommandStatus
from household.command_catalog import (
    CATEGORY_BY_NAME,
    FAILURE_BY_TYPE,
    REFUSAL,
    ROLE_HABITS,
    SAID_PREFIXES,
    STUCK_RATE,
    Category,
    Failure,
    Phrase,
    RoleHabits,
)

DAY_SECONDS = 86_400.0
POOL_SIZE = 4096
# Commands per session: mostly one to three, now and then a long conversation.
SESSION_SIZES = {1: 30, 2: 22, 3: 16, 4: 11, 5: 8, 6: 5, 7: 3, 8: 2, 10: 2, 12: 1}
FAVORITE_RATE = 0.02
SESSION_ROOM = 600.0  # seconds a day's parental controls must leave for a session to begin


class Timing(NamedTuple):
    processing_ms: int | None
    whisper_ms: int | None
    n8n_ms: int | None
    tts_ms: int | None


class SimulatedCommand(NamedTuple):
    at: float  # seconds after the start of its session
    category: Category
    phrase: Phrase
    prefix: int  # index into SAID_PREFIXES: how the member started the sentence
    follow_up: bool  # a second turn of the command before it in the session
    status: str
    failure: Failure | None
    timing: int  # index into FamilySimulator.timings
    confidence: str | None  # transcription confidence as text ("0.93"); None before transcription
    favorite: bool


class SimulatedSession(NamedTuple):
    start: float  # seconds after local midnight, on the day's clock
    end: float
    device: str
    commands: list[SimulatedCommand]


class DayRules(NamedTuple):
    """What a member's parental controls leave of one day: where sessions may lie, and how long in all."""

    windows: list[tuple[float, float]]  # seconds after local midnight, on the day's clock
    budget: float | None  # seconds of sessions the day allows; None: no limit

    def windows_until(self, limit: float) -> list[tuple[float, float]]:
        """The windows up to `limit` (a moment is stored to the millisecond), if the day leaves time for a session."""
        if self.budget is not None and self.budget < SESSION_ROOM:
            return []
        return [
            (start, min(end, limit - 0.001)) for start, end in self.windows if min(end, limit) - start >= SESSION_ROOM
        ]


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
    habits: RoleHabits


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
        self._plans = {
            role: _RolePlan(
                categories=lottery({CATEGORY_BY_NAME[name]: w for name, w in habits.categories.items()}),
                hours=lottery(dict(enumerate(habits.hours)), size=2400),
                devices=lottery(habits.devices),
                failures=lottery({FAILURE_BY_TYPE[name]: w for name, w in habits.failures.items()}),
                habits=habits,
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
        if kind == REFUSAL.error_type:
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

    def sessions(
        self,
        *,
        role: str,
        voice: bool,
        count: int,
        limit: float = DAY_SECONDS,
        rules: DayRules | None = None,
        refused: Callable[[Phrase, int], object] | None = None,
    ) -> list[SimulatedSession]:
        """`count` commands of one member of `role` on one day, grouped in sessions, in time order.

        `voice` says whether the member hears spoken answers (response mode other than
        text_only); `limit` is the last second of the day that may be used (now, for today).
        `rules` keep every session inside the member's windows and all of them within the
        day's budget (sessions are shortened to fit); a command that `refused(phrase, prefix)`
        finds refused by the member's lists is recorded as a refusal.
        """
        windows = (rules or DayRules([(0.0, DAY_SECONDS)], None)).windows_until(limit)
        budget = rules.budget if rules else None
        if count <= 0 or not windows:
            return []
        rand = self.rng.random
        plan = self._plans[role]
        session_sizes = self._sizes
        sizes, left = [], count
        while left > 0:
            size = min(left, session_sizes[int(rand() * len(session_sizes))])
            sizes.append(size)
            left -= size
        hours, scale = plan.hours, min(1.0, limit / DAY_SECONDS)
        starts = sorted(self._start(hours, scale, windows) for _ in sizes)
        timing_ranges = self._timing_ranges
        confident, unsure = self._confident, self._unsure
        categories, devices, failures = plan.categories, plan.devices, plan.failures
        category_count, device_count, failure_count = len(categories), len(devices), len(failures)
        follow_up_rate = plan.habits.follow_up_rate
        stuck_until = STUCK_RATE
        fail_until = STUCK_RATE + plan.habits.failure_rate
        prefixes = len(SAID_PREFIXES)
        success, pending, processing = CommandStatus.SUCCESS, CommandStatus.PENDING, CommandStatus.PROCESSING
        failed, refusal = CommandStatus.FAILED, REFUSAL
        drafts = []
        for size in sizes:
            at = 1.0 + rand() * 4.0
            device = devices[int(rand() * device_count)]
            commands = []
            category = None
            for position in range(size):
                follow_up = False
                if position:
                    follow_ups = category.follow_ups  # type: ignore[union-attr]
                    follow_up = bool(follow_ups) and rand() < follow_up_rate
                    at += 2.0 + rand() * 10.0 if follow_up else 5.0 + rand() * 110.0
                if follow_up:
                    phrase = follow_ups[int(rand() * len(follow_ups))]
                    prefix = 0
                else:
                    category = categories[int(rand() * category_count)]
                    phrase = category.phrases[int(rand() * len(category.phrases))]
                    prefix = int(rand() * prefixes)
                roll = rand()
                failure = None
                if refused is not None and refused(phrase, prefix):
                    status, failure = failed, refusal
                    kind = refusal.error_type
                elif roll < stuck_until:
                    status = kind = processing if rand() < 0.6 else pending
                elif roll < fail_until:
                    failure = failures[int(rand() * failure_count)]
                    status, kind = failure.status, failure.error_type
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
            drafts.append((at + 5.0 + rand() * 35.0, device, commands))
        if budget is not None:
            # Every stored moment loses less than a millisecond: keep that much of the budget in hand.
            room = budget - 0.002 * len(drafts)
            used = sum(draft[0] for draft in drafts)
            if used > room:
                drafts = [_shortened(draft, room / used) for draft in drafts]
        return self._placed(drafts, starts, windows)

    def _start(self, hours: list, scale: float, windows: list[tuple[float, float]]) -> float:
        """A session's start at an hour the role likes that the windows allow, else anywhere in them."""
        rand = self.rng.random
        for _ in range(8):
            start = (hours[int(rand() * len(hours))] + rand()) * 3600.0 * scale
            if windows[0][0] <= start < windows[0][1] or any(low <= start < high for low, high in windows):
                return start
        low, high = windows[int(rand() * len(windows))]
        return low + rand() * (high - low)

    def _placed(self, drafts: list[tuple], starts: list[float], windows: list) -> list[SimulatedSession]:
        """The drafts (length, device, commands) placed at their starts in their windows, one after the
        other while the window has room; a session longer than its window is shortened to fit it."""
        rand = self.rng.random
        result = []
        free_from = 0.0
        only = windows[0] if len(windows) == 1 else None
        for start, draft in zip(starts, drafts, strict=True):
            low, high = only or next((window for window in windows if start < window[1]), windows[-1])
            if draft[0] > high - low:
                draft = _shortened(draft, (high - low) / draft[0])
            length, device, commands = draft
            at = max(start, low, free_from) if free_from + 600.0 < high else max(start, low)
            at = max(low, min(at, high - length))
            result.append(SimulatedSession(at, at + length, device, commands))
            free_from = at + length + 60.0 + rand() * 1800.0
        return result


def _shortened(draft: tuple, factor: float) -> tuple:
    """A draft session (length, device, commands) with its commands closer together, `factor` of its length."""
    length, device, commands = draft
    return length * factor, device, [command._replace(at=command.at * factor) for command in commands]
