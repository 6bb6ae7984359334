"""Counting a big table is cheap: planner estimates when big, an exact count under a short timeout when small."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import ActivityLog
from activity.tests.factories import ActivityLogFactory
from tests.admin.helpers import url
from tonnysite.familyadmin.pagination import EstimatedCountPaginator

pytestmark = pytest.mark.django_db


class TinyThresholdPaginator(EstimatedCountPaginator):
    # The test tables are small: pretend a dozen rows is "big".
    exact_count_below = 10


def analyze(table: str) -> None:
    """Refresh the planner's statistics and keep autovacuum off the table until the test ends.

    Autovacuum's ANALYZE cannot see this test's uncommitted rows; if it ran between ours and
    the estimate, reltuples would drop to 0. Holding its lock mode for the rest of the test's
    transaction rules that out.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE UPDATE EXCLUSIVE MODE")
        cursor.execute(f"ANALYZE {table}")


def counts_run(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


@pytest.fixture
def thirty_activities(family):
    ActivityLogFactory.create_batch(30, profile=family["kid"])
    analyze("activity_logs")


def test_unfiltered_big_table_is_counted_from_pg_class_without_count(thirty_activities):
    paginator = TinyThresholdPaginator(ActivityLog.objects.all(), 10)

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    # An estimate of the 30 rows: reltuples scaled to the table's current pages, which
    # rolled-back rows of earlier tests and ANALYZE's sampling nudge either way; the point
    # is that it comes without a COUNT.
    assert 20 <= count <= 60
    assert paginator.count_is_estimate
    assert counts_run(queries) == []
    assert "pg_class" in queries[0]["sql"]


def test_filtered_big_result_is_estimated_by_the_planner_without_count(thirty_activities):
    paginator = TinyThresholdPaginator(ActivityLog.objects.filter(status="success"), 10)

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    assert count >= 30
    assert counts_run(queries) == []
    assert queries[0]["sql"].startswith("EXPLAIN")


def test_small_result_is_counted_exactly(thirty_activities):
    paginator = EstimatedCountPaginator(ActivityLog.objects.filter(status="failed"), 10)

    assert paginator.count == 0
    assert not paginator.count_is_estimate


def test_count_that_runs_out_of_time_falls_back_to_the_estimate(thirty_activities):
    slow = ActivityLog.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"])  # noqa: S610  (a fixed test predicate)
    paginator = EstimatedCountPaginator(slow, 10)
    paginator.count_timeout_ms = 5

    count = paginator.count

    assert paginator.count_is_estimate
    assert count >= paginator.exact_count_below


def test_count_timeout_does_not_outlive_the_count(thirty_activities):
    slow = ActivityLog.objects.extra(where=["pg_sleep(0.01) IS NOT NULL"])  # noqa: S610
    paginator = EstimatedCountPaginator(slow, 10)
    paginator.count_timeout_ms = 5
    paginator.count  # noqa: B018

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


def test_stale_small_estimate_of_a_big_table_is_checked_by_a_count(family):
    analyze("activity_logs")  # statistics say: empty
    ActivityLogFactory.create_batch(15, profile=family["kid"])

    assert EstimatedCountPaginator(ActivityLog.objects.all(), 10).count == 15


def test_pages_stop_at_the_deepest_page_offered(thirty_activities):
    paginator = TinyThresholdPaginator(ActivityLog.objects.all(), 2)
    paginator.max_pages = 5

    assert paginator.num_pages == 5
    assert paginator.is_capped


def test_change_list_of_a_big_table_runs_no_count(client_as, thirty_activities, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_count_below", 10)

    with CaptureQueriesContext(connection) as queries:
        response = client_as("admin").get(url("activity.activitylog", "changelist"))

    assert counts_run(queries) == []
    assert re.search(r"about \d+ activity logs", " ".join(response.text.split()))


def test_page_beyond_the_deepest_is_refused(client_as, thirty_activities, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "max_pages", 2)
    monkeypatch.setattr(admin.site._registry[ActivityLog], "list_per_page", 5)

    response = client_as("admin").get(url("activity.activitylog", "changelist"), {"p": "3"})

    assert response.status_code == 400
    assert "This list has no page “3”" in response.text
    assert "at most 2 deep" in response.text


@pytest.mark.parametrize("model_admin", list(admin.site._registry.values()), ids=str)
def test_every_model_admin_skips_the_full_count_facets_and_date_drill_down(model_admin):
    assert model_admin.show_full_result_count is False
    assert model_admin.show_facets is admin.ShowFacets.NEVER
    assert model_admin.date_hierarchy is None
    assert issubclass(model_admin.paginator, EstimatedCountPaginator)


def test_search_page_holds_the_newest_matches_whichever_plan_reads_it(family):
    from django.utils import timezone

    for minutes in range(30):
        ActivityLogFactory(
            profile=family["kid"],
            command_text="lights on" if minutes % 3 == 0 else "music",
            timestamp=timezone.now() - timezone.timedelta(minutes=minutes),
        )
    searched = ActivityLog.objects.filter(command_text__contains="lights").order_by("-timestamp", "-pk")
    paginator = TinyThresholdPaginator(searched, 4).for_search()

    page = paginator.page(2)

    assert [row.pk for row in page.object_list] == [row.pk for row in searched[4:8]]


def test_search_read_moves_on_to_the_next_plan_when_one_runs_out_of_time(thirty_activities, monkeypatch):
    from tonnysite.familyadmin import pagination

    slow = ActivityLog.objects.extra(where=["pg_sleep(0.001) IS NOT NULL"]).order_by("-timestamp")  # noqa: S610
    monkeypatch.setattr(pagination, "FEW_MATCHES_READS", ((pagination.USE_THE_SEARCH_INDEX, 5), ({}, None)))
    paginator = EstimatedCountPaginator(slow, 10).for_search()

    assert len(paginator.read(slow[:10])) == 10


def test_search_count_is_tried_exactly_even_when_the_planner_guesses_many(thirty_activities):
    paginator = TinyThresholdPaginator(ActivityLog.objects.filter(status="success"), 10).for_search()

    assert paginator.count == 30
    assert not paginator.count_is_estimate


def test_searched_change_list_reads_its_page_with_forced_plans(client_as, thirty_activities):
    with CaptureQueriesContext(connection) as queries:
        response = client_as("admin").get(url("activity.activitylog", "changelist"), {"q": "lights"})

    assert len(response.context["cl"].result_list) == 30
    assert any("enable_indexscan" in q["sql"] for q in queries)
