"""The audit trail is read-only: activity logs, command history and system events are never edited;
resolving an event (who and when) is the one change, and it lands in the admin log."""

import pytest

from activity.tests.factories import ActivityLogFactory
from history.models import Change
from telemetry.tests.factories import SystemEventFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["activitylog", "commandhistory"])
def test_family_admin_cannot_edit_activity(client_as, rows, model):
    row = rows["kid"][model]

    response = client_as("admin").post(url(f"activity.{model}", "change", row.pk), {"command_text": "edited"})

    assert response.status_code == 403


def test_activity_detail_page_has_no_form_inputs(client_as, rows):
    response = client_as("admin").get(url("activity.activitylog", "change", rows["kid"]["activitylog"].pk))

    assert response.context["has_change_permission"] is False
    assert 'name="command_text"' not in response.text


def test_family_admin_cannot_edit_a_system_event(client_as, rows):
    event = rows["kid"]["systemevent"]

    response = client_as("admin").post(url("telemetry.systemevent", "change", event.pk), {"message": "edited"})

    event.refresh_from_db()
    assert response.status_code == 403
    assert event.message == "Model failed to load"


def test_marking_an_event_resolved_records_who_and_when(client_as, family, rows):
    event = rows["kid"]["systemevent"]
    data = {"action": "mark_resolved", "_selected_action": [str(event.pk)], "index": "0"}

    client_as("admin").post(url("telemetry.systemevent", "changelist"), data)

    event.refresh_from_db()
    assert event.resolved_by == family["admin"]
    assert event.resolved_at is not None


def test_marking_an_event_resolved_from_its_detail_page(client_as, family, rows):
    event = rows["kid"]["systemevent"]
    data = {"CHANGE_FORM-action": "mark_resolved", "_selected_action": [str(event.pk)]}

    client_as("admin").post(url("telemetry.systemevent", "change", event.pk), data)

    event.refresh_from_db()
    assert event.resolved_by == family["admin"]


def test_an_event_resolved_earlier_keeps_who_resolved_it(client_as, family, rows):
    event = SystemEventFactory(resolved_by=family.other)
    event.resolved_at = event.timestamp
    event.save()
    data = {"action": "mark_resolved", "_selected_action": [str(event.pk)], "index": "0"}

    client_as("admin").post(url("telemetry.systemevent", "changelist"), data)

    event.refresh_from_db()
    assert event.resolved_by == family.other
    # Only the test's own save above: the action changed nothing, so it recorded nothing.
    assert [c.via for c in Change.objects.filter(row_id=str(event.pk))] == ["app"]


def test_marking_resolved_is_recorded_in_the_change_history(client_as, family, rows):
    event = rows["kid"]["systemevent"]
    data = {"action": "mark_resolved", "_selected_action": [str(event.pk)], "index": "0"}

    client_as("admin").post(url("telemetry.systemevent", "changelist"), data)

    entry = Change.objects.get(table_name="system_events", row_id=str(event.pk))
    assert entry.changes["resolved_by"] == {"before": None, "after": family["admin"].name}
    assert entry.actor == "admin"


def test_metadata_is_shown_in_labelled_words_and_escaped(client_as, family):
    row = ActivityLogFactory(profile=family["kid"], metadata={"device": "<script>alert(1)</script>", "model": "base"})

    response = client_as("admin").get(url("activity.activitylog", "change", row.pk))

    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "Speech model (Whisper)" in response.text and "&quot;device&quot;" not in response.text
