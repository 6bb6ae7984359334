"""What the dashboard's tests share: signed-in clients, CSV downloads, moments in Berlin."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

PASSWORD = "dashboard-export-test-7d1e"
BERLIN = ZoneInfo("Europe/Berlin")
USAGE_URL = "admin:dashboard_usage_csv"
ACTIVITY_URL = "admin:dashboard_activity_csv"


def client_as(username: str) -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


def download(client: Client, name: str, **params) -> tuple[StreamingHttpResponse, list[list[str]]]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, response.content[:300]
    text = b"".join(response.streaming_content).decode("utf-8")
    return response, list(csv.reader(io.StringIO(text)))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def as_dicts(table: list[list[str]]) -> list[dict[str, str]]:
    header, *rows = table
    return [dict(zip(header, row, strict=True)) for row in rows]
