"""Every change list runs a fixed, small number of queries, however many rows it shows (no N+1)."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory
from profiles.services import family_member_create
from quickactions.tests.factories import QuickActionFactory
from telemetry.tests.factories import NotificationFactory, SettingFactory, SystemEventFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db

MAX_QUERIES = 14
# A search also sets planner settings and a time limit around its count and its read
# (a savepoint, one SET, the query and the rollback each).
MAX_SEARCH_QUERIES = MAX_QUERIES + 4
MODELS = sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


def more_rows_everywhere(count: int) -> None:
    """`count` more rows in every table, each with its own profile and login where it has one."""
    for i in range(count):
        profile = family_member_create(
            name=f"Extra {i}", permission_level="user", username=f"extra{i}", password="extra-pass-4c7e"
        )
        for days in range(2):
            when = timezone.now() - datetime.timedelta(days=days)
            ActivityLogFactory(profile=profile, timestamp=when)
        CommandHistoryFactory(profile=profile)
        SessionFactory(profile=profile)
        SystemEventFactory(profile=profile, resolved_by=profile)
        NotificationFactory(profile=profile)
        QuickActionFactory()
        SettingFactory(updated_by=profile)


def changelist_queries(client, model: str, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"), params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", MODELS)
def test_change_list_query_count_does_not_grow_with_rows(client_as, rows, model):
    client = client_as("admin")
    before = changelist_queries(client, model)

    more_rows_everywhere(4)

    assert changelist_queries(client, model) == before


@pytest.mark.parametrize("model", MODELS)
def test_change_list_runs_few_queries(client_as, rows, django_assert_max_num_queries, model):
    client = client_as("admin")

    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url(model, "changelist"))


@pytest.mark.parametrize(
    "model", ["activity.activitylog", "activity.commandhistory", "activity.session", "activity.usagestatistic"]
)
def test_a_kids_change_list_runs_few_queries(client_as, rows, django_assert_max_num_queries, model):
    client = client_as("kid")

    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url(model, "changelist"))


@pytest.mark.parametrize(
    ("model", "params"),
    [
        ("activity.activitylog", {"status__exact": "failed"}),
        ("activity.activitylog", {"q": "lights"}),
        ("activity.activitylog", {"timestamp__gte": "2020-01-01"}),
        ("activity.commandhistory", {"is_favorite__exact": "1", "q": "kitchen"}),
        ("telemetry.systemevent", {"resolution": "attention", "severity__exact": "error"}),
    ],
)
def test_filtered_and_searched_change_lists_run_few_queries(client_as, rows, model, params):
    limit = MAX_SEARCH_QUERIES if "q" in params else MAX_QUERIES

    assert changelist_queries(client_as("admin"), model, params) <= limit


@pytest.mark.parametrize("model", MODELS)
def test_change_list_never_runs_select_distinct(client_as, rows, model):
    with CaptureQueriesContext(connection) as queries:
        client_as("admin").get(url(model, "changelist"))

    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
