"""The admin's search box uses PostgreSQL full-text search on the GIN-indexed expressions, not icontains."""

import pytest
from django.db import connection

from activity.models import ActivityLog, CommandHistory
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db


def found(client, model: str, term: str) -> list:
    response = client.get(url(model, "changelist"), {"q": term})
    return list(response.context["cl"].result_list)


def test_activity_search_finds_other_forms_of_a_word(client_as, family):
    row = ActivityLogFactory(profile=family["kid"], command_text="turn on the light in the kitchen")

    assert found(client_as("admin"), "activity.activitylog", "lights") == [row]


def test_activity_search_leaves_out_rows_without_the_word(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text="play some music")

    assert found(client_as("admin"), "activity.activitylog", "lights") == []


def test_search_is_not_a_substring_match(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text="turn on the lights")

    assert found(client_as("admin"), "activity.activitylog", "ligh") == []


def test_command_history_search_covers_the_raw_transcription(client_as, family):
    row = CommandHistoryFactory(profile=family["kid"], command="lights.on", raw_transcription="switch the lamps on")

    assert found(client_as("admin"), "activity.commandhistory", "lamp") == [row]


def test_search_understands_quotes_and_exclusions(client_as, family):
    kitchen = ActivityLogFactory(profile=family["kid"], command_text="lights on in the kitchen")
    ActivityLogFactory(profile=family["kid"], command_text="lights on in the garage")

    assert found(client_as("admin"), "activity.activitylog", "lights -garage") == [kitchen]


def test_search_finds_a_quoted_phrase_only_with_its_words_together(client_as, family):
    phrase = ActivityLogFactory(profile=family["kid"], command_text="say good night to everyone")
    ActivityLogFactory(profile=family["kid"], command_text="good morning, what a night")

    assert found(client_as("admin"), "activity.activitylog", '"good night"') == [phrase]


def test_search_exclusion_leaves_out_other_forms_of_the_word_too(client_as, family):
    ActivityLogFactory(profile=family["kid"], command_text="lights on in the kitchen")
    garage = ActivityLogFactory(profile=family["kid"], command_text="lights on in the garage")

    assert found(client_as("admin"), "activity.activitylog", "lights -kitchens") == [garage]


def test_search_of_a_kid_stays_within_their_own_rows(client_as, family):
    ActivityLogFactory(profile=family.other, command_text="lights on")

    assert found(client_as("kid"), "activity.activitylog", "lights") == []


def test_recent_activity_search_uses_full_text_too(client_as, family):
    row = ActivityLogFactory(profile=family["kid"], command_text="dim the lights")

    assert [r.pk for r in found(client_as("admin"), "activity.recentactivity", "light")] == [row.pk]


def plan_of(queryset) -> str:
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def search_queryset(model_admin_model, term):
    from django.contrib import admin

    model_admin = admin.site._registry[model_admin_model]
    queryset, _ = model_admin.get_search_results(None, model_admin_model.objects.all(), term)
    return queryset


def test_activity_search_can_use_its_gin_index():
    assert "activity_logs_command_fts" in plan_of(search_queryset(ActivityLog, "lights"))


def test_command_history_search_can_use_both_gin_indexes():
    plan = plan_of(search_queryset(CommandHistory, "lights"))

    assert "command_history_command_fts" in plan
    assert "cmd_history_transcript_fts" in plan
