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

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import OperationalError, connections, transaction
from django.utils.functional import cached_property
from psycopg import errors as pg_errors

# Planner settings that force one plan: walk the ordering index (no bitmap, sequential or
# parallel scans: parallel workers would each walk ahead for the same few rows), or use
# bitmap scans only (the GIN index, then sort the matches).
WALK_THE_ORDER_INDEX = {"enable_bitmapscan": "off", "enable_seqscan": "off", "max_parallel_workers_per_gather": "0"}
USE_THE_SEARCH_INDEX = {"enable_indexscan": "off", "enable_seqscan": "off"}
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


class _Done(Exception):  # noqa: N818  (control flow: carries a result out of a rolled-back savepoint)
    def __init__(self, value):
        self.value = value


class EstimatedCountPaginator(Paginator):
    exact_count_below = 10_000
    count_timeout_ms = 25
    max_pages = 100

    count_is_estimate = False
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
        planner_settings = USE_THE_SEARCH_INDEX if self.searching else {}
        exact = self._with_settings(queryset.db, planner_settings, self.count_timeout_ms, queryset.count)
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
        finishes within its time budget."""
        for planner_settings, budget_ms in MANY_MATCHES_READS if self.count_is_estimate else FEW_MATCHES_READS:
            result = self._with_settings(rows.db, planner_settings, budget_ms, lambda: list(rows))
            if result is not None:
                return result
        raise AssertionError("The last read has no time limit.")

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
