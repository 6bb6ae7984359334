"""A paginator for tables of millions of rows: never an unbounded COUNT(*).

* Unfiltered: the planner's row estimate from pg_class (reltuples scaled to the
  table's current size, as the planner does), free.
* Filtered: the planner's estimate for the query (EXPLAIN); when it is small, an exact
  COUNT under a short statement timeout, the estimate being the fallback if the count
  runs out of time. Small estimates are always checked by an exact count, so a stale
  estimate of a big table can never make the admin render every row on one page.
* Pages go no deeper than `max_pages`: OFFSET grows with the depth, filters don't.
* Searched (`for_search()`): the planner's estimates of full-text matches are no guide
  (words that occur together, "frozen soundtrack", look rare; a word it has no
  statistics for looks common), and a wrong guess costs seconds at 10 M rows: reading
  every match through the GIN index before sorting when there are many, or walking the
  whole time index when there are none. So the count is always tried exactly first,
  through the GIN index, and a page is read by trying both plans in turn with growing
  time budgets: walk the time index testing each row, and the GIN index alone — walk
  first when the count says the matches are many, GIN first when they are few. The cheap
  plan answers within its first budget.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import OperationalError, connections, transaction
from django.db.models import BooleanField, Min, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import cached_property
from psycopg import errors as pg_errors

# Planner settings that force one plan: walk the ordering index (no bitmap, sequential or
# parallel scans: parallel workers would each walk ahead for the same few rows), or use
# bitmap scans only (the GIN index, then sort the matches).
WALK_THE_ORDER_INDEX = {"enable_bitmapscan": "off", "enable_seqscan": "off", "max_parallel_workers_per_gather": "0"}
USE_THE_SEARCH_INDEX = {"enable_indexscan": "off", "enable_seqscan": "off", "max_parallel_workers_per_gather": "0"}
# Plans to try in turn, with growing time budgets (ms), when the count says there are many
# matches (the newest are likely near: walk first) and when it says there are few.
MANY_MATCHES_READS = (
    (WALK_THE_ORDER_INDEX, 50),
    (USE_THE_SEARCH_INDEX, 100),
    (WALK_THE_ORDER_INDEX, 400),
    (USE_THE_SEARCH_INDEX, 800),
    (WALK_THE_ORDER_INDEX, 3_000),
    ({}, None),  # the planner's own choice, without a time limit
)
FEW_MATCHES_READS = ((USE_THE_SEARCH_INDEX, 300), (WALK_THE_ORDER_INDEX, 1_000), ({}, None))
# A window read: the GIN bitmap ANDed with a time range (enough memory that the bitmap of a
# word in a few percent of 10 M rows stays exact instead of lossy, which would re-parse every
# row of its pages), then sort the few matches of the window.
WINDOW_READ_SETTINGS = {**USE_THE_SEARCH_INDEX, "work_mem": "64MB"}
WINDOW_READS_BUDGET_MS = 300
# Walking the time index pays per row walked; beyond this many rows a window read is cheaper.
WALK_AT_MOST_ROWS = 15_000


class _Done(Exception):  # noqa: N818  (control flow: carries a result out of a rolled-back savepoint)
    def __init__(self, value):
        self.value = value


class EstimatedCountPaginator(Paginator):
    exact_count_below = 10_000
    count_timeout_ms = 25
    # Two words that are each common but rarely meet ("lights music") take ~40 ms to intersect
    # in the GIN index: counting them exactly (often 0) beats any page read.
    search_count_timeout_ms = 60
    max_pages = 100

    search_estimate_trusted_from = 50_000
    count_is_estimate = False
    count_is_trusted_estimate = False
    searching = False

    def for_search(self) -> EstimatedCountPaginator:
        """Count and read this (full-text searched) list without trusting the planner's estimates."""
        self.searching = True
        return self

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        if queryset.query.is_empty():
            return 0
        estimate = self._estimate(queryset)
        if estimate is not None and estimate >= self.exact_count_below and not self.searching:
            self.count_is_estimate = True
            return estimate
        if self.searching and estimate is not None and estimate >= self.search_estimate_trusted_from:
            # Only words the statistics know as frequent look this common, and counting them costs
            # the whole GIN posting list, which a statement timeout does not interrupt.
            self.count_is_estimate = self.count_is_trusted_estimate = True
            return estimate
        planner_settings = USE_THE_SEARCH_INDEX if self.searching else {}
        timeout_ms = self.search_count_timeout_ms if self.searching else self.count_timeout_ms
        exact = self._with_settings(queryset.db, planner_settings, timeout_ms, queryset.count)
        if exact is None:
            self.count_is_estimate = True
            return max(estimate or 0, self.exact_count_below)
        return exact

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, self.max_pages)

    def page(self, number):
        if not self.searching:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        return self._get_page(self.read(self.object_list[bottom:top]), number, self)

    def read(self, rows) -> list:
        """The rows of a (sliced) searched queryset, read with one plan after the other until one
        finishes within its time budget.

        Many matches: walk the time index first, unless the planner's (trusted) estimate says the
        page is so deep that the walk would pass more than WALK_AT_MOST_ROWS rows; then read by
        time windows, newest first (`read_by_time_windows`).
        """
        if self.count == 0 and not self.count_is_estimate:
            return []  # counted exactly: nothing to read
        reads = FEW_MATCHES_READS
        if self.count_is_estimate:
            # An estimate from a timed-out count is only a floor: walk first then.
            if not self.count_is_trusted_estimate or self._walk_rows(rows) <= WALK_AT_MOST_ROWS:
                result = self._with_settings(rows.db, *MANY_MATCHES_READS[0], lambda: list(rows))
                if result is not None:
                    return result
            result = self.read_by_time_windows(rows)
            if result is not None:
                return result
            reads = MANY_MATCHES_READS[1:]
        for planner_settings, budget_ms in reads:
            result = self._with_settings(rows.db, planner_settings, budget_ms, lambda: list(rows))
            if result is not None:
                return result
        raise AssertionError("The last read has no time limit.")

    def read_by_time_windows(self, rows) -> list | None:
        """The rows of a sliced queryset ordered newest first, read one time window after the other.

        Each window is one read of the GIN index ANDed with the time range (the bitmap plan),
        and only the window's matches are fetched and sorted; windows are sized from the
        count so that the first usually holds the page, and grow when they hold too few.
        Rows without a time sort first, so they belong to the first window. None when the
        queryset is not sliced or not ordered newest first by a column, or the reads run out
        of WINDOW_READS_BUDGET_MS.
        """
        field = _newest_first_field(rows)
        if field is None or rows.query.high_mark is None or not rows.model._meta.managed:
            return None
        low, high = rows.query.low_mark, rows.query.high_mark
        unsliced = rows._chain()
        unsliced.query.clear_limits()
        oldest = rows.model._base_manager.using(rows.db).aggregate(oldest=Min(field))["oldest"]
        now = timezone.now()
        if oldest is None:
            return []
        # Matches per second over the table's history: the count (or its estimate) spread evenly.
        rate = max(self.count, 1) / max((now - oldest).total_seconds(), 1.0)
        deadline = time.monotonic() + WINDOW_READS_BUDGET_MS / 1000
        found: list = []
        upper = None
        while len(found) < high:
            need = high - len(found)
            lower = (upper or now) - timedelta(seconds=max(60.0, 2 * need / rate))
            window = Q() if upper is None else Q(**{f"{field}__lt": upper})
            if lower > oldest:
                newer = Q(_btree_only_not_before(rows, field, lower))
                window &= newer | Q(**{f"{field}__isnull": True}) if upper is None else newer
            budget_ms = int((deadline - time.monotonic()) * 1000)
            if budget_ms <= 0:
                return None
            got = self._with_settings(
                rows.db,
                WINDOW_READ_SETTINGS,
                budget_ms,
                lambda window=window, need=need: list(unsliced.filter(window)[:need]),
            )
            if got is None:
                return None
            found += got
            if lower <= oldest:
                break
            # Size the next window from what this one held (a quarter of a match if none).
            rate = max(len(got), 0.25) / (((upper or now) - lower).total_seconds())
            upper = lower
        return found[low:high]

    def _walk_rows(self, rows) -> float:
        """How many rows walking the time index passes to fill this slice, if the matches are spread
        evenly (the count, or its estimate, against the table's size)."""
        high = rows.query.high_mark or self.count
        return high * self._table_rows(rows) / max(self.count, 1)

    def _table_rows(self, rows) -> int:
        if not rows.model._meta.managed:
            return self.count
        return self._estimate(rows.model._base_manager.using(rows.db).all()) or self.count

    @property
    def is_capped(self) -> bool:
        """Whether rows exist beyond the deepest page offered."""
        return self.count > self.max_pages * self.per_page

    def _estimate(self, queryset) -> int | None:
        query = queryset.query
        opts = queryset.model._meta
        unfiltered = not query.where and not query.distinct and not query.combinator and not query.is_sliced
        with connections[queryset.db].cursor() as cursor:
            if unfiltered and opts.managed:
                # What the planner would say for a sequential scan, without planning one.
                cursor.execute(
                    "SELECT CASE WHEN c.reltuples < 0 THEN NULL"
                    " WHEN c.relpages = 0 THEN c.reltuples"
                    " ELSE c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int)"
                    " END FROM pg_class c WHERE c.oid = %s::regclass",
                    [opts.db_table],
                )
                row = cursor.fetchone()
                return None if row is None or row[0] is None else int(row[0])
            try:
                sql, params = queryset.order_by().values("pk").query.sql_with_params()
            except EmptyResultSet:
                # Django knows no row can match (say, a number beyond the column's range).
                return 0
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            return int(plan[0]["Plan"]["Plan Rows"])

    @staticmethod
    def _with_settings(using: str, planner_settings: dict[str, str], timeout_ms: int | None, work):
        """Run `work()` with `planner_settings` and a statement timeout; None if it runs out of time.

        The settings are SET LOCAL inside a savepoint that is always rolled back, so they
        never outlive the work.
        """
        settings = {**planner_settings, **({"statement_timeout": str(timeout_ms)} if timeout_ms else {})}
        try:
            with transaction.atomic(using=using):
                if settings:
                    with connections[using].cursor() as cursor:
                        calls = ", ".join("set_config(%s, %s, true)" for _ in settings)
                        cursor.execute(f"SELECT {calls}", [part for item in settings.items() for part in item])
                raise _Done(work())
        except _Done as done:
            return done.value
        except OperationalError as error:
            if isinstance(error.__cause__, pg_errors.QueryCanceled):
                return None
            raise


def _newest_first_field(rows) -> str | None:
    """The column a queryset is ordered by, newest first, if it is; None otherwise."""
    ordering = rows.query.order_by or rows.model._meta.ordering
    if not ordering or not isinstance(ordering[0], str) or not ordering[0].startswith("-"):
        return None
    name = ordering[0][1:]
    try:
        field = rows.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field.name if field.get_internal_type() in ("DateTimeField", "DateField") else None


def _btree_only_not_before(rows, field: str, moment) -> RawSQL:
    """`field >= moment`, written as a row comparison, which only a B-tree index can serve.

    Otherwise the planner takes the BRIN index for the time range: its bitmap is lossy, and
    ANDed with the GIN bitmap it makes PostgreSQL re-parse every row of every page it touches.
    """
    opts = rows.model._meta
    column = f"{connection_quote(rows.db, opts.db_table)}.{connection_quote(rows.db, opts.get_field(field).column)}"
    # Identifiers from the model, quoted; the moment is a parameter.
    return RawSQL(f"({column}, {column}) >= (%s, %s)", (moment, moment), output_field=BooleanField())  # noqa: S611


def connection_quote(using: str, name: str) -> str:
    return connections[using].ops.quote_name(name)
