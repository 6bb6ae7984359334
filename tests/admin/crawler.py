"""A hostile crawler for the admin: every URL pattern the site has, with bad parameters, ids and form values.

It walks Django's URL resolver, so a page added later is crawled without a change here;
`Crawl.unvisited_patterns()` names any pattern it could not fill in. Each request's answer is
checked as it arrives: no 5xx and none of the secrets anywhere in the body.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote

from django.conf import settings
from django.contrib import admin
from django.core.signals import got_request_exception
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# One value of each kind of trouble; every parameter gets a rotating share of them.
HOSTILE_VALUES: tuple[str, ...] = (
    "\x00",
    "abc\x00def",
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "99999999999999999999999999",
    "-9223372036854775809",
    "9223372036854775808",
    "2147483648",
    "1e400",
    "NaN",
    "-Infinity",
    "-1",
    "0",
    "",
    " ",
    "'",
    '"',
    "\\",
    "%",
    "_",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31 23:59:59",
    "10000-01-01",
    "-infinity",
    "2026-02-30",
    "300000",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x")',
    "ü日本語\U0001f600",
    "a" * 3000,
    "!" * 400,
    "&|!()<>:*'" * 60,
    " ".join(["lights"] * 3000),
    "(" * 1000,
    "true",
    "null",
    "[]",
    "{}",
    "a:*",
    "!!!!lights",
    '"unclosed',
    "𝟙𝟚𝟛𝟜",
)

# JSON texts PostgreSQL's jsonb refuses or Python mangles, for every JSON field of every form.
HOSTILE_JSON: tuple[str, ...] = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    '"\\u0000"',
    '{"a\\u0000": 1}',
    '{"daily_limit_minutes": NaN}',
    "[" * 5000 + "]" * 5000,
    '{"a":' * 3000 + "1" + "}" * 3000,
    "[" * 40 + "]" * 40,
    "null",
    "not json",
    '"\\ud800"',
    "",
)

LOOKUPS = ("", "__exact", "__iexact", "__gte", "__lt", "__in", "__isnull", "__year", "__startswith", "__regex")
CHANGELIST_PARAMETERS = ("q", "p", "o", "e", "all", "_to_field", "_popup", "_changelist_filters", "_facets")


def rotate(values: tuple[str, ...], start: int, count: int) -> list[str]:
    """`count` values of `values` from position `start`, wrapping around."""
    return [values[(start + i) % len(values)] for i in range(count)]


class FormScraper(HTMLParser):
    """What a browser would submit for the admin's main form: inputs, textareas and selects."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self.textareas: list[str] = []
        self._in_form = False
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or not a.get("name") and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(a["name"], []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.textareas.append(a["name"])
            self.data[a["name"]] = [""]
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.data.setdefault(self._select, []).append(value)
                self._select_chosen = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data


def form_of(html: str) -> FormScraper:
    scraper = FormScraper()
    scraper.feed(html)
    return scraper


@dataclass
class Crawl:
    """Requests as one role, each answer checked; failures are collected, not raised, to report them all."""

    client: Client
    role: str
    secrets: tuple[str, ...]
    requests: int = 0
    failures: list[str] = field(default_factory=list)
    visited_patterns: set[str] = field(default_factory=set)

    def _check(self, method: str, path: str, response, sent) -> None:
        self.requests += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        if response.status_code >= 500:
            self.failures.append(f"{self.role}: {method} {path[:160]!r} {str(sent)[:160]!r} -> {response.status_code}")
        for secret in self.secrets:
            if secret in text:
                self.failures.append(f"{self.role}: {method} {path[:160]!r} shows a secret")
        # Every page a signed-in member sees names the family's zone; the sign-in page shows no
        # time, and a popup has no header to name it in.
        html = response.get("Content-Type", "").startswith("text/html")
        popup = "_popup" in path or "_popup" in str(sent)
        shows_times = self.role != "anonymous" and not path.startswith(("/admin/login/", "/admin/logout/"))
        named = f"Times in {settings.TIME_ZONE}." in text
        if shows_times and response.status_code == 200 and html and not popup and not named:
            self.failures.append(f"{self.role}: {method} {path[:160]!r} does not name the family's time zone")

    def get(self, pattern: str, path: str, params: dict | None = None):
        self.visited_patterns.add(pattern)
        response = self.client.get(path, params or {})
        self._check("GET", path, response, params)
        return response

    def post(self, pattern: str, path: str, data: dict, note: str | None = None):
        self.visited_patterns.add(pattern)
        response = self.client.post(path, data)
        self._check("POST", path, response, note or {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"})
        return response


def admin_patterns() -> Iterator[tuple[str, str]]:
    """(name, route) of every named URL pattern under /admin/, with routes joined."""

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if p.namespace and namespace else (p.namespace or namespace)
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}" if namespace else p.name, prefix + str(p.pattern)

    for name, route in walk(get_resolver().url_patterns, "", ""):
        if name.startswith("admin:"):
            yield name, route


def model_pattern_names(model_admin) -> dict[str, str]:
    opts = model_admin.opts
    base = f"admin:{opts.app_label}_{opts.model_name}_"
    return {view: base + view for view in ("changelist", "add", "change", "history", "delete", "export")}


def filter_keys(model_admin) -> list[str]:
    """The query-string keys a change list may get: its filters' parameters and lookups on every field."""
    keys: list[str] = []
    for spec in model_admin.list_filter:
        if isinstance(spec, str):
            keys += [spec, f"{spec}__exact", f"{spec}__isnull", f"{spec}__gte", f"{spec}__lt"]
        elif isinstance(spec, tuple):
            name = spec[0]
            keys += [f"{name}__gte", f"{name}__lt", f"{name}__isnull", f"{name}__exact"]
        elif issubclass(spec, admin.SimpleListFilter):
            keys.append(spec.parameter_name)
    for f in model_admin.opts.concrete_fields:
        keys += [f"{f.name}{lookup}" for lookup in LOOKUPS]
    return list(dict.fromkeys(keys))


def hostile_params(model_admin, share: float) -> Iterator[dict]:
    """Query strings for a change list or its export: `share` of its keys (1.0: every key once,
    2.0: twice), each with the next hostile value, so every kind of value meets many kinds of key."""
    keys = [*CHANGELIST_PARAMETERS, *filter_keys(model_admin)]
    for j in range(max(len(CHANGELIST_PARAMETERS), round(len(keys) * share))):
        yield {keys[j % len(keys)]: HOSTILE_VALUES[(j * 7 + j // len(keys)) % len(HOSTILE_VALUES)]}


def hostile_ids() -> list[str]:
    return ["not-an-id", "\x00", "99999999999999999999999999", "00000000-0000-0000-0000-000000000000", "a" * 500]


def changed_forms(
    base: dict[str, list[str]], textareas: Iterable[str], json_texts: Iterable[str]
) -> Iterator[tuple[str, dict]]:
    """(what changed, the form): the scraped form with one field at a time replaced by a hostile
    value (JSON texts in textareas)."""
    skip = {"csrfmiddlewaretoken"}
    names = [n for n in base if n not in skip and not n.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS"))]
    for i, name in enumerate(names):
        values = list(json_texts) if name in textareas else rotate(HOSTILE_VALUES, i * 5, 3)
        for value in values:
            yield f"{name}={value[:60]!r}", {**base, name: [value]}


def app_labels() -> list[str]:
    return sorted({model._meta.app_label for model in admin.site._registry})


@dataclass
class ServerErrors:
    """Every exception Django's handler caught during the crawl (they become 500 answers)."""

    errors: list[str] = field(default_factory=list)

    def __enter__(self):
        got_request_exception.connect(self._record)
        return self

    def __exit__(self, *exc):
        got_request_exception.disconnect(self._record)

    def _record(self, sender, request=None, **kwargs):
        import sys

        error = sys.exc_info()[1]
        self.errors.append(f"{request.method if request else '?'} {request.path[:120] if request else ''}: {error!r}")


def quoted(value: str) -> str:
    return quote(value, safe="")


def json_text(value) -> str:
    return json.dumps(value, allow_nan=True, ensure_ascii=False)
