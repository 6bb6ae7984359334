"""Synthetic activity at scale, for load tests and benchmarks (`manage.py generate_activity`).

A producer thread simulates the days and maps them to row values (`household.rows`,
the mapping the sample family shares) and serialises them as COPY text in chunks;
the calling thread streams each chunk into PostgreSQL with `COPY ... FROM STDIN`
while the next one is being made, so Python and the server work at the same time.
For a big load into a smaller table the secondary indexes are dropped first and
rebuilt at the end (one sort instead of millions of inserts). Then usage statistics,
last_active_at and session counters are brought to the exact truth with the
set-based `usage_statistics_rebuild`. Everything runs in one transaction: a failure
leaves the database as it was.
"""

from __future__ import annotations

import math
import queue
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from django.db import connection, transaction
from django.utils import timezone

from activity.services import RefreshResult, usage_statistics_rebuild
from household.command_catalog import AGENT_BY_ROLE, PARENTAL_CONTROLS, VOICES
from household.rows import TABLE_COLUMNS, TABLE_MODELS, Day, HouseholdRows, Member, days_ending_today
from household.simulation import DAY_SECONDS, expected_daily_commands
from parental import rules
from profiles.models import PermissionLevel, ResponseMode, UserProfile
from tonnysite.clock import family_zone

GENERATED_MARKER = {"generated": True}
HOUSEHOLD_ROLES = ("admin", "user", "kid", "kid", "guest")
COMMANDS_PER_MEMBER_DAY = 25  # sizes the default number of profiles
REBUILD_INDEXES_FROM = 100_000  # below this many rows, keeping the indexes live is cheaper

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


NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value: str | None) -> str:
    """A value as COPY's text format spells it: \\N for NULL; backslash, tab, newline and return escaped."""
    return NULL if value is None else value.translate(_COPY_ESCAPES)


def copy_text(rows: list[tuple[str, ...]]) -> str:
    """Rows of values spelled by `copy_value` as COPY text: one line each, the values separated by tabs."""
    return "\n".join(map("\t".join, rows)) + "\n"


class _Ids:
    """Unique uuid text, cheap to make: a random 80-bit prefix for the run and a counter.

    Ids rise within a run, so primary-key inserts append to the B-tree instead of
    landing on random pages.
    """

    def __init__(self):
        bits = secrets.randbits(80)
        hexed = f"{bits:020x}"
        self.prefix = f"{hexed[:8]}-{hexed[8:12]}-4{hexed[12:15]}-a{hexed[15:18]}-"
        self.counter = 0

    def next(self) -> str:
        self.counter += 1
        return f"{self.prefix}{self.counter:012x}"


class _Renderer:
    """Maps a plan of (day, member, command count) to row values and serialises them as COPY text, in chunks.

    `rows` spells its values with `copy_value`. They are joined every BATCH_ROWS commands,
    while the row tuples are still in the CPU's cache (a whole chunk of them is not).
    """

    BATCH_ROWS = 1000

    def __init__(self, *, rows: HouseholdRows, plan: list[tuple[Day, Member, int]], chunk_rows: int):
        self.rows = rows
        self.plan = plan
        self.chunk_rows = chunk_rows
        self.counts = dict.fromkeys(TABLE_COLUMNS, 0)
        self.texts: dict[str, list[str]] = {table: [] for table in TABLE_COLUMNS}

    def chunks(self) -> Iterator[list[tuple[str, tuple[str, ...], bytes]]]:
        activity = self.rows.tables["activity_logs"]
        pending = 0
        for _ in self.rows.plan(self.plan):
            if len(activity) >= self.BATCH_ROWS:
                pending += len(activity)
                self._serialise()
                if pending >= self.chunk_rows:
                    pending = 0
                    yield self._chunk()
        self._serialise()
        yield self._chunk()

    def _serialise(self) -> None:
        for table, values in self.rows.tables.items():
            if values:
                self.counts[table] += len(values)
                self.texts[table].append(copy_text(values))
                values.clear()

    def _chunk(self) -> list[tuple[str, tuple[str, ...], bytes]]:
        chunk = []
        for table, texts in self.texts.items():
            if texts:
                chunk.append((table, TABLE_COLUMNS[table], "".join(texts).encode()))
                texts.clear()
        return chunk


def _allocation(
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


def _members(rows: HouseholdRows, profiles: list[UserProfile]) -> list[Member]:
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


class _Abort(Exception):
    """Tells a lane to roll back."""


class _Lane(threading.Thread):
    """One PostgreSQL connection that loads some of the tables in a transaction of its own.

    It drops the tables' secondary indexes (when asked), COPYs the chunks it is
    handed, rebuilds the indexes and analyses the tables, then waits for the
    verdict: commit only when every lane got that far.
    """

    def __init__(
        self, *, tables: tuple[str, ...], profile_ids: list, rebuild_indexes: bool, progress: Callable[[str], None]
    ):
        super().__init__(name=f"generate_activity {'+'.join(tables)}", daemon=True)
        self.tables = tables
        self.profile_ids = profile_ids
        self.rebuild_indexes = rebuild_indexes
        self.progress = progress
        self.inbox: queue.Queue = queue.Queue(maxsize=3)
        self.verdict: queue.Queue = queue.Queue(maxsize=1)
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.indexes_rebuilt = 0
        self.load_seconds = self.index_seconds = self.analyze_seconds = 0.0

    def run(self):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    self._load(cursor)
                self.ready.set()
                if self.verdict.get() is not True:
                    raise _Abort
        except _Abort:
            pass
        except BaseException as error:  # handed to the orchestrating thread, which raises it
            self.error = error
        finally:
            self.ready.set()
            connection.close()

    def _load(self, cursor) -> None:
        # Check foreign keys at the end of each COPY, not at commit: pending deferred checks
        # would block CREATE INDEX and pile up millions of trigger events in memory.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # The members stay until this commits, so every profile_id written stays valid.
        cursor.execute("SELECT 1 FROM user_profiles WHERE id = ANY(%s) FOR KEY SHARE", [self.profile_ids])
        if _may_skip_row_triggers(cursor, self.tables):
            # Rows reference only the members locked above: the per-row foreign-key check
            # (a third of the server's COPY time) proves nothing more. Superusers only.
            cursor.execute("SET LOCAL session_replication_role = replica")
        dropped = _secondary_indexes(cursor, self.tables) if self.rebuild_indexes else []
        for name, _ in dropped:
            cursor.execute(f"DROP INDEX {name}")
        started = time.perf_counter()
        while (chunk := self.inbox.get()) is not None:
            if chunk is _Abort:
                raise _Abort
            for table, columns, data in chunk:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(data)
        self.load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for name, definition in dropped:
            one_started = time.perf_counter()
            cursor.execute(definition)
            self.progress(f"  rebuilt index {name} in {time.perf_counter() - one_started:.1f} s")
        self.indexes_rebuilt = len(dropped)
        self.index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(f"ANALYZE {', '.join(self.tables)}")
        self.analyze_seconds = time.perf_counter() - started

    def hand(self, item) -> None:
        """Queue a chunk (or the end) for this lane; give up if the lane has stopped."""
        while self.is_alive() and not self.ready.is_set():
            try:
                self.inbox.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        if self.error is not None:
            raise self.error
        raise RuntimeError(f"The {self.name} loader stopped early.")


def _may_skip_row_triggers(cursor, tables: tuple[str, ...]) -> bool:
    """Whether this login may turn off row triggers and no trigger of ours would fire on the rows we insert.

    Only a trigger that fires on INSERT (bit 4 of pg_trigger.tgtype) could miss a loaded row; one that
    fires on UPDATE or DELETE only (a change history, say) has nothing to do during a COPY, so it must
    not cost the load its fast path. The privacy triggers (activity migration 0009) change nothing
    while privacy.log_commands is on, so they count only while it is off. Foreign-key checks are
    internal triggers: see `_Lane._load`.
    """
    cursor.execute(
        """
        SELECT current_setting('is_superuser') = 'on'
           AND NOT EXISTS (
               SELECT 1 FROM pg_trigger
               WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal AND tgtype::integer & 4 <> 0
                 AND (tgname NOT IN ('activity_logs_privacy', 'command_history_privacy')
                      OR privacy_log_commands_off())
           )
        """,
        [list(tables)],
    )
    return cursor.fetchone()[0]


def _secondary_indexes(cursor, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the tables' indexes that back no constraint.

    A model's index is recreated with the very SQL its migration ran (pg_get_indexdef
    can come back as a different text of the same index); any other with its stored definition.
    """
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY i.indrelid, i.indexrelid
        """,
        [list(tables)],
    )
    stored = cursor.fetchall()
    editor = connection.schema_editor(collect_sql=True)
    declared = {
        index.name: str(index.create_sql(TABLE_MODELS[table], editor))
        for table in tables
        for index in TABLE_MODELS[table]._meta.indexes
    }
    return [(name, declared.get(name, definition)) for name, definition in stored]


def _should_rebuild_indexes(*, rows: int, mode: str) -> bool:
    if mode != "auto":
        return mode == "rebuild"
    if rows < REBUILD_INDEXES_FROM:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'activity_logs'::regclass")
        estimate = cursor.fetchone()[0]
        if estimate < 0:  # never analysed
            cursor.execute("SELECT count(*) FROM activity_logs")
            estimate = cursor.fetchone()[0]
    return estimate <= rows


def _load(
    renderer: _Renderer, *, rows: int, profile_ids: list, rebuild_indexes: bool, progress: Callable[[str], None]
) -> list[_Lane]:
    """Render here and COPY in two lanes at once; commit both or neither.

    The lanes carry about the same weight: command history is the widest table.
    """
    lanes = {
        table: lane
        for tables in (("activity_logs", "sessions", "system_events"), ("command_history",))
        for lane in [_Lane(tables=tables, profile_ids=profile_ids, rebuild_indexes=rebuild_indexes, progress=progress)]
        for table in lane.tables
    }
    distinct = list(dict.fromkeys(lanes.values()))
    for lane in distinct:
        lane.start()
    started = last_report = time.perf_counter()
    try:
        for chunk in renderer.chunks():
            for lane in distinct:
                lane.hand([part for part in chunk if lanes[part[0]] is lane])
            now = time.perf_counter()
            if now - last_report >= 2.0:
                last_report = now
                done = renderer.counts["activity_logs"]
                rate = done / (now - started)
                progress(f"  {done:,} / {rows:,} activity rows sent ({rate:,.0f} rows/s)")
        for lane in distinct:
            lane.hand(None)
        for lane in distinct:
            lane.ready.wait()
        failed = next((lane.error for lane in distinct if lane.error is not None), None)
        if failed is not None:
            raise failed
        # Every lane is ready: commit one after the other, and roll back the rest if a commit fails.
        for lane in distinct:
            lane.verdict.put(True)
            lane.join()
            if lane.error is not None:
                raise lane.error
    finally:
        for lane in distinct:
            if lane.is_alive():
                if not lane.ready.is_set():
                    lane.inbox.put(_Abort)
                lane.verdict.put(False)
                lane.join()
    return distinct


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
    household_rows = HouseholdRows(seed=seed, next_id=_Ids().next, spell=copy_value, calendar=rules.family_calendar())
    members = _members(household_rows, generated)
    report.profiles = len(members)
    plan = _allocation(rows=household_rows, count=rows, members=members, days=day_list, seed=seed)
    renderer = _Renderer(rows=household_rows, plan=plan, chunk_rows=chunk_rows)
    rebuild = _should_rebuild_indexes(rows=rows, mode=indexes)
    connection.close()  # the lanes use connections of their own
    progress(
        f"Loading {rows:,} commands for {len(members):,} members over {days} days "
        f"({'rebuilding' if rebuild else 'keeping'} the secondary indexes)..."
    )
    load_started = time.perf_counter()
    lanes = _load(
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
