"""Loading generated rows fast: COPY text, made in chunks here and streamed on two connections at once.

`ChunkRenderer` maps a plan of (day, member, command count) to row values (`household.rows`) and
serialises them as COPY text in chunks; `lanes_load` hands each chunk to the lanes, threads with a
PostgreSQL connection of their own that COPY it while the next one is being made. A lane may drop
its tables' secondary indexes first and rebuild them at the end (one sort instead of millions of
inserts); both lanes commit or neither does.
"""

from __future__ import annotations

import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterator

from django.db import connection, transaction

from household.rows import TABLE_COLUMNS, TABLE_MODELS, Day, HouseholdRows, Member

REBUILD_INDEXES_FROM = 100_000  # below this many rows, keeping the indexes live is cheaper
NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value: str | None) -> str:
    """A value as COPY's text format spells it: \\N for NULL; backslash, tab, newline and return escaped."""
    return NULL if value is None else value.translate(_COPY_ESCAPES)


def copy_text(rows: list[tuple[str, ...]]) -> str:
    """Rows of values spelled by `copy_value` as COPY text: one line each, the values separated by tabs."""
    return "\n".join(map("\t".join, rows)) + "\n"


class RisingIds:
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


class ChunkRenderer:
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


def indexes_rebuild_wanted(*, rows: int, mode: str) -> bool:
    """Whether a load of `rows` drops and rebuilds the secondary indexes: `mode` "rebuild" or "keep" says;
    "auto" rebuilds from REBUILD_INDEXES_FROM rows when the load is at least as big as the table."""
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


def lanes_load(
    renderer: ChunkRenderer, *, rows: int, profile_ids: list, rebuild_indexes: bool, progress: Callable[[str], None]
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
