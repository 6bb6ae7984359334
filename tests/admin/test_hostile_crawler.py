"""Every admin URL, for every role, with hostile parameters, ids and form values: no 5xx, no secret.

The crawl walks the URL resolver (see tests/admin/crawler.py), so a new page joins it by
being added to the site. It prints how many requests each role made.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles.services import pin_set
from telemetry.models import Setting
from tests.admin.conftest import signed_in_client
from tests.admin.crawler import (
    HOSTILE_JSON,
    HOSTILE_VALUES,
    Crawl,
    ServerErrors,
    admin_patterns,
    app_labels,
    changed_forms,
    form_of,
    hostile_ids,
    hostile_params,
    json_text,
    model_pattern_names,
    rotate,
)

# Autocommit, as in production: a refused statement must not poison the requests after it.
pytestmark = pytest.mark.django_db(transaction=True)

SECRET_VALUE = "sk-crawler-secret-5f1e9c"
SECRET_DEFAULT = "sk-crawler-default-77ab02"


@pytest.fixture
def secrets(family, rows):
    """The secrets the crawl must never show: a sensitive setting's value and default, a PIN hash."""
    Setting.objects.filter(pk=rows["setting"]["secret"].pk).update(value=SECRET_VALUE, default_value=SECRET_DEFAULT)
    pin_set(profile=family["kid"], pin="4826")
    family["kid"].refresh_from_db()
    return (SECRET_VALUE, SECRET_DEFAULT, family["kid"].pin_hash)


def target_of(model, role, family, rows):
    """A row of `model` the crawl changes through its form: someone else's for the admin, else the role's own."""
    name = model._meta.model_name
    owner = "other" if role == "admin" else role
    if name in rows.get(owner, {}):
        return rows[owner][name]
    if name == "userprofile":
        return family.other if role == "admin" else family.members.get(role)
    if name == "familylogin":
        return getattr(family["user"], "login", None)
    if name == "quickaction":
        return rows["quickaction"]["kid"]
    if name == "setting":
        return rows["setting"]["plain"]
    if name == "user":
        return family["user"].login.user
    if name == "group":
        from django.contrib.auth.models import Group

        return Group.objects.get(name="user")
    if name == "devicetoken":
        return rows["devicetoken"]
    return model._default_manager.first()


# How much of each list's parameters a role's crawl tries (1.0: every key once): a family admin
# reaches every page, the others mostly meet a 403 or the sign-in page, which costs little to prove.
SHARE = {"anonymous": 0.15, "kid": 0.5, "user": 0.7, "admin": 1.0}


def crawl_model(crawl: Crawl, model, model_admin, obj) -> None:
    names = model_pattern_names(model_admin)
    changelist = reverse(names["changelist"])
    crawl.get(names["changelist"], changelist)
    for params in hostile_params(model_admin, SHARE[crawl.role]):
        crawl.get(names["changelist"], changelist, params)
    try:
        export = reverse(names["export"])
    except NoReverseMatch:
        export = None
    if export:
        for params in hostile_params(model_admin, SHARE[crawl.role] / 3):
            crawl.get(names["export"], export, params)

    ids = [str(obj.pk)] if obj is not None else []
    for view in ("change", "history", "delete"):
        for object_id in ids + hostile_ids()[:3]:
            crawl.get(names[view], reverse(names[view], args=[object_id]))
    for object_id in hostile_ids()[:2]:
        crawl.post(names["delete"], reverse(names["delete"], args=[object_id]), {"post": "yes"})

    # Actions, on a real row (never confirmed, so nothing is deleted) and on ids that are not ids.
    for action in [*(model_admin.actions or ()), "delete_selected", *rotate(HOSTILE_VALUES, 0, 4)]:
        for selected in [ids, hostile_ids()[:3]]:
            crawl.post(names["changelist"], changelist, {"action": action, "_selected_action": selected, "index": "0"})

    # Forms: what a browser would submit, one field at a time replaced by a hostile value.
    pages = [reverse(names["add"])] + ([reverse(names["change"], args=ids)] if ids else [])
    for page in pages:
        pattern = names["add"] if page.endswith("/add/") else names["change"]
        response = crawl.get(pattern, page)
        if response.status_code != 200:
            crawl.post(pattern, page, {"name": "\x00", "key": "'"})
            continue
        form = form_of(response.text)
        for change, data in changed_forms(form.data, form.textareas, HOSTILE_JSON):
            crawl.post(pattern, page, data, note=change)


PARENTAL_CONTROLS = "admin:profiles_userprofile_parental_controls"
PARENTAL_CONTROLS_BOXES = ("controls", "pin", "pause", "resume", "calendar")


def crawl_parental_controls(crawl: Crawl, profile) -> None:
    """A member's parental-controls page: the preview's GET parameters and every box's fields, hostile."""
    path = reverse(PARENTAL_CONTROLS, args=[profile.pk])
    response = crawl.get(PARENTAL_CONTROLS, path)
    for i, value in enumerate(HOSTILE_VALUES):
        crawl.get(PARENTAL_CONTROLS, path, {"command": value, "at": HOSTILE_VALUES[(i * 7) % len(HOSTILE_VALUES)]})
    form = form_of(response.text) if response.status_code == 200 else form_of("")
    base = form.data or {"daily_limit_minutes": [""], "pin": [""]}
    for box in [*PARENTAL_CONTROLS_BOXES, *rotate(HOSTILE_VALUES, 0, 3)]:
        crawl.post(PARENTAL_CONTROLS, path, {**base, "_form": box})
    for box in PARENTAL_CONTROLS_BOXES:
        for change, data in changed_forms(base, form.textareas, HOSTILE_VALUES[:12]):
            crawl.post(PARENTAL_CONTROLS, path, {**data, "_form": box}, note=f"{box}: {change}")


DASHBOARD_PAGES = ("admin:dashboard", "admin:dashboard_usage_csv", "admin:dashboard_activity_csv")


def crawl_dashboard(crawl: Crawl, member_names: list[str]) -> None:
    """The dashboard and its exports: every preset, real and hostile ranges and members."""
    good = [
        *({"range": preset} for preset in ("today", "yesterday", "this_week", "this_month", "last_month", "this_year")),
        {"from": "2026-10-25", "to": "2026-10-25"},
        {"from": "2024-12-01", "to": "2026-11-30"},
        *({"member": member} for member in member_names),
    ]
    for name in DASHBOARD_PAGES:
        path = reverse(name)
        for params in good:
            crawl.get(name, path, params)
        for i, value in enumerate(rotate(HOSTILE_VALUES, len(name), 16)):
            other = HOSTILE_VALUES[(i * 5) % len(HOSTILE_VALUES)]
            crawl.get(name, path, {"range": value, "member": other})
            crawl.get(name, path, {"from": value, "to": other})
            crawl.get(name, path, {"to": value, "member": value})


def crawl_notification_channels(crawl: Crawl) -> None:
    """The Notifications page's forms with hostile boxes: every action, channel number, name and address."""
    path = reverse("admin:notification_channels")
    actions = ["add", "kinds", "on", "off", "test", "remove", "", "nope"]
    for i, value in enumerate(rotate(HOSTILE_VALUES, 5, 24)):
        crawl.post(
            "admin:notification_channels",
            path,
            {"_action": actions[i % len(actions)], "channel": value, "name": value, "address": value, "kinds": value},
        )


def crawl_other_pages(crawl: Crawl, real_user_id: int, covered: set[str]) -> None:
    """Every admin pattern that is not a model's page: index, app lists, autocomplete, login, view on site…"""
    content_type = ContentType.objects.get_for_model(Setting)
    candidates = {
        "app_label": [*app_labels(), "nope", "a" * 300],
        "object_id": ["ui.theme", *hostile_ids()],
        "content_type_id": [str(content_type.pk), "0", "99999999999999999999"],
        "id": [str(real_user_id), "0", "99999999999999999999", "not-an-id"],
        "url": ["", "x", "a" * 300],
        "request_id": [str(uuid.uuid4()), "00000000-0000-0000-0000-000000000000"],
    }
    for name, route in admin_patterns():
        if name in covered:
            continue
        params = [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]
        if not params:
            path = reverse(name)
            crawl.get(name, path)
            for value in rotate(HOSTILE_VALUES, len(path), 12):
                crawl.get(name, path, {"next": value, "term": value, "q": value})
            continue
        for i in range(max(len(candidates.get(p, [""])) for p in params)):
            kwargs = {p: candidates.get(p, ["x"])[i % len(candidates.get(p, ["x"]))] for p in params}
            try:
                path = reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            crawl.get(name, path)

    autocomplete = reverse("admin:autocomplete")
    sources = [
        (model._meta.app_label, model._meta.model_name, field)
        for model, model_admin in admin.site._registry.items()
        for field in model_admin.autocomplete_fields
    ]
    probes = [("telemetry", "setting", "value"), ("profiles", "userprofile", "pin_hash"), ("x", "y", "z")]
    for source in [*sources, *probes]:
        for term in rotate(HOSTILE_VALUES, 3, 10):
            crawl.get(
                "admin:autocomplete",
                autocomplete,
                {"app_label": source[0], "model_name": source[1], "field_name": source[2], "term": term},
            )
    for value in rotate(HOSTILE_VALUES, 0, 20):
        crawl.post("admin:login", reverse("admin:login"), {"username": value, "password": value, "next": value})


@pytest.mark.parametrize("role", ["anonymous", "kid", "user", "admin"])
def test_hostile_crawl_answers_no_5xx_and_shows_no_secret(role, family, rows, secrets, capsys):
    from django.test import Client

    client = Client(raise_request_exception=False) if role == "anonymous" else signed_in_client(role)
    client.raise_request_exception = False
    crawl = Crawl(client=client, role=role, secrets=secrets)
    covered: set[str] = set()
    with ServerErrors() as errors:
        for model, model_admin in admin.site._registry.items():
            crawl_model(crawl, model, model_admin, target_of(model, role, family, rows))
            covered |= set(model_pattern_names(model_admin).values())
        crawl_parental_controls(crawl, family.other if role == "admin" else family.members.get(role, family["kid"]))
        crawl_dashboard(crawl, [family.other.name, family["kid"].name])
        crawl_notification_channels(crawl)
        crawl_other_pages(crawl, family["user"].login.user_id, covered | set(DASHBOARD_PAGES))

    with capsys.disabled():
        print(f"\nhostile crawl as {role}: {crawl.requests} requests, {len(crawl.failures)} failures")
    unvisited = {name for name, _ in admin_patterns()} - crawl.visited_patterns
    assert not unvisited, f"patterns the crawl never requested: {sorted(unvisited)}"
    assert crawl.requests > 500
    assert not crawl.failures, "\n".join(crawl.failures[:40] + errors.errors[:20])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=json_values)
def test_any_json_value_in_any_json_field_is_saved_or_refused_never_a_5xx(family, rows, value):
    client = signed_in_client("admin")
    client.raise_request_exception = False
    text = json_text(value)
    profile_page = reverse("admin:profiles_userprofile_change", args=[family.other.pk])
    setting_page = reverse("admin:telemetry_setting_change", args=["ui.theme"])
    for page, json_fields in (
        (profile_page, ("usage_limits", "settings", "voice_training_data")),
        (setting_page, ("new_value", "default_value", "validation_schema")),
    ):
        form = form_of(client.get(page).text)
        for name in json_fields:
            response = client.post(page, {**form.data, name: [text]})
            assert response.status_code < 500, (page, name, text[:200])
