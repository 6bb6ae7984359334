"""The seed's "Query Examples" and "Debug Queries" as written (fixed only where the seed was wrong),
for the tests that run them and check their plans."""

from django.db import connection

LAST_TEN_COMMANDS = """
SELECT
    timestamp,
    command_text,
    response_text,
    status,
    processing_time_ms
FROM activity_logs
WHERE profile_id = 'user-uuid-here'
ORDER BY timestamp DESC
LIMIT 10;
"""

DAILY_COUNTS_THIS_MONTH = """
SELECT
    date,
    command_count,
    success_count,
    failure_count,
    average_confidence
FROM usage_statistics
WHERE profile_id = 'user-uuid-here'
  AND date >= DATE_TRUNC('month', CURRENT_DATE)
ORDER BY date DESC;
"""

RECENT_ERRORS = """
SELECT
    timestamp,
    event_type,
    severity,
    component,
    message
FROM system_events
WHERE severity IN ('error', 'warning', 'critical')
  AND timestamp > NOW() - INTERVAL '24 hours'
ORDER BY timestamp DESC;
"""

MOST_USED_QUICK_ACTIONS = """
SELECT
    qa.display_name,
    COUNT(ch.id) as usage_count
FROM quick_actions qa
JOIN command_history ch ON ch.quick_action_id = qa.id
WHERE ch.timestamp > NOW() - INTERVAL '30 days'
GROUP BY qa.id, qa.display_name
ORDER BY usage_count DESC;
"""

# The seed names its database 'tonnytray'; the tests run in a test database of another name.
DATABASE_SIZE = "SELECT pg_database_size('tonnytray') / 1024 / 1024 as size_mb;"
ACTIVE_CONNECTIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = 'tonnytray';"
TABLE_SIZES = """
SELECT
    schemaname,
    tablename,
    pg_size_pretty(pg_total_relation_size(schemaname||'.'||tablename)) AS size
FROM pg_tables
WHERE schemaname = 'public'
ORDER BY pg_total_relation_size(schemaname||'.'||tablename) DESC;
"""
SEED_INDEX_USAGE = """
SELECT
    schemaname,
    tablename,
    indexname,
    idx_scan,
    idx_tup_read,
    idx_tup_fetch
FROM pg_stat_user_indexes
ORDER BY idx_scan;
"""
# pg_stat_user_indexes calls those columns relname and indexrelname.
INDEX_USAGE = """
SELECT
    schemaname,
    relname AS tablename,
    indexrelname AS indexname,
    idx_scan,
    idx_tup_read,
    idx_tup_fetch
FROM pg_stat_user_indexes
ORDER BY idx_scan;
"""


def for_profile(query: str, profile) -> str:
    return query.replace("user-uuid-here", str(profile.pk))


def in_this_database(query: str) -> str:
    return query.replace("'tonnytray'", f"'{connection.settings_dict['NAME']}'")
