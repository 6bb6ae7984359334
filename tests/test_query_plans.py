"""With 100,000 activity rows, the seed's queries and the views use indexes, not a scan of activity_logs."""

import re

import pytest
from django.db import connection

from profiles.models import UserProfile
from tests.seed_queries import LAST_TEN_COMMANDS, MOST_USED_QUICK_ACTIONS, for_profile

pytestmark = pytest.mark.django_db

# 100,000 rows, one every 315 seconds: a year of a busy household, in time order like a real log.
ROWS = 100_000


@pytest.fixture(scope="module")
def busy_family(django_db_setup, django_db_blocker):
    """100,000 commands and command-history rows over a year, committed once for the module."""
    with django_db_blocker.unblock():
        profiles = [UserProfile.objects.create(name=f"Plan {n}") for n in range(10)]
        _load(profiles)
        yield profiles
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE activity_logs, command_history, usage_statistics, user_profiles CASCADE")


def _load(profiles):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO activity_logs (profile_id, timestamp, command_text, status, processing_time_ms)
            SELECT (%(ids)s::uuid[])[1 + g %% 10], now() - (%(rows)s - g) * interval '315 seconds',
                   'command ' || (g %% 50),
                   (ARRAY['success','failed','timeout','pending']::command_status[])[1 + g %% 4], g %% 3000
            FROM generate_series(1, %(rows)s) AS g
            """,
            {"ids": [p.pk for p in profiles], "rows": ROWS},
        )
        cursor.execute(
            """
            INSERT INTO command_history (profile_id, timestamp, command, raw_transcription, quick_action_id)
            SELECT (%(ids)s::uuid[])[1 + g %% 10], now() - (%(rows)s - g) * interval '315 seconds', 'c', 'c',
                   (ARRAY['good_morning','goodnight', NULL])[1 + g %% 3]
            FROM generate_series(1, %(rows)s) AS g
            """,
            {"ids": [p.pk for p in profiles], "rows": ROWS},
        )
        cursor.execute("VACUUM ANALYZE activity_logs")
        cursor.execute("VACUUM ANALYZE command_history")
    return profiles


def uses_an_index_of_activity_logs(text: str) -> bool:
    return "Seq Scan on activity_logs" not in text and bool(
        re.search(r"(Index Scan|Index Only Scan|Bitmap Index Scan) using activity_logs_\w+", text)
    )


def plan(query: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_last_ten_commands_of_a_user_use_an_index(busy_family):
    assert uses_an_index_of_activity_logs(plan(for_profile(LAST_TEN_COMMANDS, busy_family[0])))


def test_recent_activity_view_uses_an_index(busy_family):
    assert uses_an_index_of_activity_logs(plan("SELECT * FROM recent_activity"))


def test_user_statistics_summary_never_reads_activity_logs(busy_family):
    assert "activity_logs" not in plan("SELECT * FROM user_statistics_summary")


def test_most_used_quick_actions_do_not_scan_command_history(busy_family):
    assert "Seq Scan on command_history" not in plan(MOST_USED_QUICK_ACTIONS)


def test_failed_commands_of_a_profile_use_an_index(busy_family):
    text = plan(
        f"SELECT command_text, response_text, processing_time_ms FROM activity_logs "
        f"WHERE profile_id = '{busy_family[0].pk}' AND status = 'failed' ORDER BY timestamp DESC LIMIT 20"
    )
    assert uses_an_index_of_activity_logs(text)


def test_profile_dashboard_figures_come_from_the_covering_index_alone(busy_family):
    """A profile's failures and their average time, without reading the table."""
    text = plan(
        f"SELECT count(*), avg(processing_time_ms) FROM activity_logs "
        f"WHERE profile_id = '{busy_family[0].pk}' AND status = 'failed'"
    )
    assert "Index Only Scan using activity_logs_dashboard_idx" in text
