"""The "has it happened yet?" list filters (one class, tonnysite.familyadmin.filters): the titles,
choices and query-string parameters pages and bookmarks use, and the rows each choice keeps."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activity.models import Session
from activity.tests.factories import SessionFactory
from telemetry.models import Notification, Setting, SystemEvent
from telemetry.tests.factories import NotificationFactory, SettingFactory, SystemEventFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db

FILTERS = {
    "activity.session": (
        "state",
        "state",
        [("open", "Open"), ("idle", "Open but idle (no command for 15 minutes)"), ("ended", "Ended")],
    ),
    "telemetry.systemevent": (
        "resolution",
        "resolution",
        [("attention", "Open errors and critical"), ("open", "Open"), ("resolved", "Resolved")],
    ),
    "telemetry.setting": ("editable", "editable", [("yes", "Editable"), ("no", "Read-only")]),
    "telemetry.notification": ("delivery", "delivery", [("pending", "Waiting"), ("sent", "Sent")]),
}


def listed(client, model, params) -> set:
    response = client.get(url(model, "changelist"), params)
    assert response.status_code == 200, response.content[:300]
    return {row.pk for row in response.context["cl"].result_list}


@pytest.mark.parametrize("model", list(FILTERS))
def test_each_filter_keeps_its_title_parameter_and_choices(client_as, family, model):
    parameter, title, choices = FILTERS[model]

    response = client_as("admin").get(url(model, "changelist"))

    spec = next(s for s in response.context["cl"].filter_specs if getattr(s, "parameter_name", None) == parameter)
    assert (spec.title, list(spec.lookup_choices)) == (title, choices)


def test_session_states_split_open_sessions_by_whether_they_went_idle(client_as, family):
    Session.objects.all().delete()
    now = timezone.now()
    in_use = SessionFactory(started_at=now - timedelta(minutes=5))
    idle = SessionFactory(started_at=now - timedelta(hours=2))
    ended = SessionFactory(started_at=now - timedelta(hours=3), ended_at=now - timedelta(hours=2))
    client = client_as("admin")

    assert listed(client, "activity.session", {"state": "open"}) == {in_use.pk}
    assert listed(client, "activity.session", {"state": "idle"}) == {idle.pk}
    assert listed(client, "activity.session", {"state": "ended"}) == {ended.pk}


def test_resolution_finds_open_errors_open_events_and_resolved_ones(client_as, family):
    SystemEvent.objects.all().delete()
    open_error = SystemEventFactory(severity="error")
    open_warning = SystemEventFactory(severity="warning")
    resolved = SystemEventFactory(severity="critical", resolved_at=timezone.now())
    client = client_as("admin")

    assert listed(client, "telemetry.systemevent", {"resolution": "attention"}) == {open_error.pk}
    assert listed(client, "telemetry.systemevent", {"resolution": "open"}) == {open_error.pk, open_warning.pk}
    assert listed(client, "telemetry.systemevent", {"resolution": "resolved"}) == {resolved.pk}


def test_a_setting_without_an_editable_flag_counts_as_editable(client_as, family):
    Setting.objects.all().delete()
    editable = SettingFactory(key="ui.theme")
    unflagged = SettingFactory(key="ui.language")
    Setting.objects.filter(pk=unflagged.pk).update(is_user_editable=None)
    locked = SettingFactory(key="server.port", is_user_editable=False)
    client = client_as("admin")

    assert listed(client, "telemetry.setting", {"editable": "yes"}) == {editable.pk, unflagged.pk}
    assert listed(client, "telemetry.setting", {"editable": "no"}) == {locked.pk}


def test_delivery_finds_waiting_and_sent_notifications(client_as, family):
    Notification.objects.all().delete()
    waiting = NotificationFactory()
    sent = NotificationFactory(sent_at=timezone.now())
    client = client_as("admin")

    assert listed(client, "telemetry.notification", {"delivery": "pending"}) == {waiting.pk}
    assert listed(client, "telemetry.notification", {"delivery": "sent"}) == {sent.pk}
    assert listed(client, "telemetry.notification", {"delivery": "lost"}) == {waiting.pk, sent.pk}


def test_what_happened_finds_failed_sign_ins_lockouts_backups_and_upkeep(client_as, family):
    SystemEvent.objects.all().delete()
    events = {
        kind: SystemEventFactory(event_type=kind)
        for kind in ("auth.login_failed", "auth.locked_out", "ops.backup", "ops.restore", "ops.purge", "boot")
    }
    client = client_as("admin")

    assert listed(client, "telemetry.systemevent", {"happened": "failed_sign_in"}) == {events["auth.login_failed"].pk}
    assert listed(client, "telemetry.systemevent", {"happened": "lockout"}) == {events["auth.locked_out"].pk}
    assert listed(client, "telemetry.systemevent", {"happened": "backup"}) == {
        events["ops.backup"].pk,
        events["ops.restore"].pk,
    }
    assert listed(client, "telemetry.systemevent", {"happened": "maintenance"}) == {events["ops.purge"].pk}
