"""A deep page of many search matches is read one time window after the other, newest first."""

import pytest
from django.utils import timezone

from activity.models import ActivityLog
from activity.tests.factories import ActivityLogFactory
from tonnysite.familyadmin.pagination import EstimatedCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def time_to_spare(monkeypatch):
    """These tests are about which rows the windows read, not how fast: a busy machine must not fail them."""
    from tonnysite.familyadmin import pagination

    monkeypatch.setattr(pagination, "WINDOW_READS_BUDGET_MS", 60_000)


@pytest.fixture
def spread_over_a_year(family):
    now = timezone.now()
    for day in range(0, 365, 7):
        for minutes in (0, 5):
            ActivityLogFactory(
                profile=family["kid"],
                command_text="lights on" if (day + minutes) % 2 == 0 else "music",
                timestamp=now - timezone.timedelta(days=day, minutes=minutes),
            )
    return ActivityLog.objects.filter(command_text__contains="lights").order_by("-timestamp", "-pk")


@pytest.mark.parametrize("pretended_count", [1, 26, 100_000], ids=["too few", "exact", "far too many"])
@pytest.mark.parametrize(("low", "high"), [(0, 4), (4, 8), (20, 26), (24, 30)])
def test_window_reads_give_the_rows_of_the_plain_slice(spread_over_a_year, pretended_count, low, high):
    paginator = EstimatedCountPaginator(spread_over_a_year, 4).for_search()
    paginator.count = pretended_count  # the windows are sized from it, right or wrong

    rows = paginator.read_by_time_windows(spread_over_a_year[low:high])

    assert [row.pk for row in rows] == [row.pk for row in spread_over_a_year[low:high]]


def test_rows_without_a_time_come_first_as_in_the_list(spread_over_a_year, family):
    undated = ActivityLogFactory(profile=family["kid"], command_text="lights off", timestamp=None)
    paginator = EstimatedCountPaginator(spread_over_a_year, 4).for_search()
    paginator.count = 27

    rows = paginator.read_by_time_windows(spread_over_a_year[0:3])

    assert rows[0].pk == undated.pk
    assert [row.pk for row in rows] == [row.pk for row in spread_over_a_year[0:3]]


def test_window_reads_are_not_used_for_another_order(spread_over_a_year):
    oldest_first = spread_over_a_year.order_by("timestamp")
    paginator = EstimatedCountPaginator(oldest_first, 4).for_search()

    assert paginator.read_by_time_windows(oldest_first[0:4]) is None


def test_a_deep_page_of_many_matches_skips_the_walk_for_the_windows(spread_over_a_year, monkeypatch):
    from tonnysite.familyadmin import pagination

    paginator = EstimatedCountPaginator(spread_over_a_year, 4).for_search()
    paginator.count = 26
    paginator.count_is_estimate = paginator.count_is_trusted_estimate = True
    monkeypatch.setattr(pagination, "WALK_AT_MOST_ROWS", 0)
    monkeypatch.setattr(pagination, "MANY_MATCHES_READS", ())  # no other plan may read it
    expected = [row.pk for row in spread_over_a_year[20:24]]

    assert [row.pk for row in paginator.read(spread_over_a_year[20:24])] == expected
