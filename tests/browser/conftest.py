"""Browser test harness: Playwright drives Debian's Chromium, headless, against pytest-django's live server.

Why DJANGO_ALLOW_ASYNC_UNSAFE: Playwright's sync API keeps an asyncio event loop running in the main
thread for as long as the browser is open. Django sees that running loop and refuses every database call
from the same thread (SynchronousOnlyOperation), yet the tests must create rows, read them back and flush
the database between tests. Nothing here really runs concurrently (each Playwright call finishes before
the next line runs, and the live server answers from its own thread), so the guard is switched off while
the browser is open; it is the usual approach for pytest-django with Playwright.

The same running loop also makes Django look up connections in context-local instead of thread-local
storage, which would hand the tests fresh connection objects: see `playwright_keeping_database_connections`.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run; fail (never skip) when Debian's chromium is missing."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium. "
            "Run `make browser` to install it (Playwright never downloads a browser here).",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with playwright_keeping_database_connections() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@contextmanager
def playwright_keeping_database_connections():
    """Start Playwright's sync API, and keep using this thread's Django connections once its loop runs.

    With a running event loop in the thread, asgiref keeps Django's connections per context instead
    of per thread, so every later lookup would make a new connection object: one that lacks the state
    pytest-django keeps on the old one and that nobody closes, so the test database could not be
    dropped at the end ("being accessed by other users"). Put the existing objects into that storage too.
    """
    from django.db import connections
    from playwright.sync_api import sync_playwright

    kept = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in kept.items():
            connections[alias] = connection
        yield playwright


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server.

    The live server needs committed rows, so these tests run on a transactional database, flushed
    after each test; the flush's post_migrate puts back content types, permissions and role groups.
    """
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def console_messages(page):
    """Every console message the page logs, as "type: text", collected from before the first navigation."""
    messages = []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    return messages
