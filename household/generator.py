"""Synthetic activity at scale, for load tests and benchmarks (`manage.py generate_activity`).

`activity_generate` runs the steps: the generated members (`household.generated_members`), a plan
of how many commands each says on each day, the load of their rows through COPY on two connections
at once (`household.copy_load`; the rows are mapped by `household.rows`, the mapping the sample
family shares), then usage statistics, last_active_at and session counters brought to the exact
truth with the set-based `usage_statistics_rebuild`. Each step commits; the load commits its
tables all or none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from activity.services import RefreshResult, usage_statistics_rebuild
from household.copy_load import ChunkRenderer, RisingIds, copy_value, indexes_rebuild_wanted, lanes_load
from household.generated_members import (
    commands_spread,
    default_profile_count,
    generated_profiles_ensure,
    household_members,
)
from household.rows import HouseholdRows, days_ending_today
from parental import rules
from tonnysite.clock import family_zone

MAX_DAYS = 3650  # --days: at most ten years back


@dataclass
class GenerationReport:
    """What generate_activity loaded, for whom, and how long each step took (in seconds)."""

    rows: int = 0  # activity rows
    history_rows: int = 0
    sessions: int = 0
    events: int = 0
    profiles: int = 0
    days: int = 0
    load_seconds: float = 0.0
    indexes_rebuilt: int = 0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    statistics: RefreshResult = field(default_factory=RefreshResult)
    statistics_seconds: float = 0.0
    total_seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        """Activity rows per second over the whole run (load, indexes and statistics)."""
        return self.rows / self.total_seconds if self.total_seconds else 0.0

    @property
    def load_rows_per_second(self) -> float:
        return self.rows / self.load_seconds if self.load_seconds else 0.0


def _in_parallel(*calls: Callable[[], object]) -> list:
    """Run each call in a thread of its own (so on a database connection of its own); raise the first error."""
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index, call):
        try:
            results[index] = call()
        except BaseException as error:  # raised below, in the calling thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@transaction.atomic
def _statistics_rebuild(**arguments) -> RefreshResult:
    """usage_statistics_rebuild in one transaction with room to sort in memory (a fifth faster at 10M rows)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
    return usage_statistics_rebuild(**arguments)


def activity_generate(
    *,
    rows: int,
    days: int = 90,
    profiles: int | None = None,
    seed: int = 1,
    indexes: str = "auto",
    chunk_rows: int = 50_000,
    progress: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Load `rows` synthetic commands over the last `days` local days (today included) for generated members.

    Each finished command gets its command_history row; sessions and system events
    come with them. `indexes`: "auto" (drop and rebuild the secondary indexes when
    loading at least as many rows as the table holds), "rebuild" or "keep".

    It commits as it goes, so it refuses to run inside a transaction: the members
    first, then the four tables through two connections at once (both commit or
    neither does), then the statistics, again on two connections.
    """
    if rows < 1 or days < 1:
        raise ValueError("rows and days must be at least 1.")
    if days > MAX_DAYS:
        raise ValueError(f"days is at most {MAX_DAYS} (ten years back: the statistics count the years 2000 on).")
    if profiles is not None and profiles < 1:
        raise ValueError("profiles must be at least 1.")
    if indexes not in ("auto", "rebuild", "keep"):
        raise ValueError("indexes is auto, rebuild or keep.")
    if connection.in_atomic_block:
        raise RuntimeError("activity_generate commits as it goes: call it outside a transaction.")
    progress = progress or (lambda message: None)
    report = GenerationReport(rows=rows, days=days)
    started = time.perf_counter()
    day_list = days_ending_today(count=days, now=timezone.localtime(timezone=family_zone()))

    with transaction.atomic():
        generated = generated_profiles_ensure(count=profiles or default_profile_count(rows=rows, days=days))
    household_rows = HouseholdRows(
        seed=seed, next_id=RisingIds().next, spell=copy_value, calendar=rules.family_calendar()
    )
    members = household_members(household_rows, generated)
    report.profiles = len(members)
    plan = commands_spread(rows=household_rows, count=rows, members=members, days=day_list, seed=seed)
    renderer = ChunkRenderer(rows=household_rows, plan=plan, chunk_rows=chunk_rows)
    rebuild = indexes_rebuild_wanted(rows=rows, mode=indexes)
    connection.close()  # the lanes use connections of their own
    progress(
        f"Loading {rows:,} commands for {len(members):,} members over {days} days "
        f"({'rebuilding' if rebuild else 'keeping'} the secondary indexes)..."
    )
    load_started = time.perf_counter()
    lanes = lanes_load(
        renderer, rows=rows, profile_ids=[p.pk for p in generated], rebuild_indexes=rebuild, progress=progress
    )
    loaded = time.perf_counter() - load_started
    report.index_seconds = max(lane.index_seconds for lane in lanes)
    report.analyze_seconds = max(lane.analyze_seconds for lane in lanes)
    report.load_seconds = loaded - report.index_seconds - report.analyze_seconds
    report.indexes_rebuilt = sum(lane.indexes_rebuilt for lane in lanes)
    report.history_rows = renderer.counts["command_history"]
    report.sessions = renderer.counts["sessions"]
    report.events = renderer.counts["system_events"]
    progress(
        f"Loaded {rows:,} activity, {report.history_rows:,} history, {report.sessions:,} session and "
        f"{report.events:,} event rows in {loaded:.1f} s, indexes and ANALYZE included."
    )

    progress("Bringing usage statistics to the truth...")
    statistics_started = time.perf_counter()
    rebuild_days = partial(_statistics_rebuild, since=day_list[0].date, until=day_list[-1].date, progress=progress)
    halves = [half for half in ([p.pk for p in generated[0::2]], [p.pk for p in generated[1::2]]) if half]
    results = _in_parallel(*(partial(rebuild_days, profile_ids=half) for half in halves))
    report.statistics = sum(results, RefreshResult())
    report.statistics_seconds = time.perf_counter() - statistics_started
    report.total_seconds = time.perf_counter() - started
    return report
