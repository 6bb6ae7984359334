"""Plain-SQL helpers for tests that act as the tray client or a reporting tool."""

from django.db import connection


def sql_rows(query: str, params=None) -> list[dict]:
    """Run `query` on the test connection and return its rows as dicts."""
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        if cursor.description is None:
            return []
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sql_one(query: str, params=None) -> dict:
    rows = sql_rows(query, params)
    assert len(rows) == 1, rows
    return rows[0]
