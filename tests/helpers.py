"""Helpers shared by test modules (a test module never imports another)."""

from urllib.parse import quote

from django.conf import settings


def database_url_of_this_run() -> str:
    """A DATABASE_URL for the server this test run uses (a TCP address or the embedded server's socket)."""
    db = settings.DATABASES["default"]
    user = quote(db["USER"], safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    if db["HOST"].startswith("/"):
        return f"postgres://{user}{password}@/{db['NAME']}?host={quote(db['HOST'])}"
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
