"""A record's JSON details are shown to a parent as labelled fields in words, never as raw JSON."""

import pytest

from activity.models import REFUSED_ERROR_TYPE
from activity.tests.factories import ActivityLogFactory, SessionFactory
from telemetry.tests.factories import SystemEventFactory
from tests.admin.helpers import url

pytestmark = pytest.mark.django_db


def test_a_refused_commands_page_names_device_session_and_decision_in_words(client_as, family):
    session = SessionFactory(profile=family["kid"])
    log = ActivityLogFactory(
        profile=family["kid"],
        status="failed",
        metadata={
            "device": "kitchen speaker",
            "session_id": str(session.pk),
            "model": "base",
            "error_type": REFUSED_ERROR_TYPE,
            "policy": {"reason": "not_in_allowed_list", "rule": "allowed list"},
        },
    )

    text = client_as("admin").get(url("activity.activitylog", "change", log.pk)).text

    assert "kitchen speaker" in text
    assert url("activity.session", "change", session.pk) in text
    assert "Not in the allowed list: not in Kid Member&#x27;s allowed list (rule: allowed list)" in text
    assert "Speech model (Whisper)" in text and "base" in text
    assert "&quot;policy&quot;" not in text and "not_in_allowed_list" not in text and "json-pretty" not in text
    assert REFUSED_ERROR_TYPE not in text  # the decision says it


def test_an_events_details_are_labelled_lines(client_as, family):
    event = SystemEventFactory(
        event_type="auth.login_failed", metadata={"username": "grandpa", "ip_address": "192.0.2.7", "attempts": 3}
    )

    text = client_as("admin").get(url("telemetry.systemevent", "change", event.pk)).text

    assert "Login name tried" in text and "grandpa" in text and "From address" in text and "192.0.2.7" in text
    assert "Attempts" in text
    assert "&quot;username&quot;" not in text and "json-pretty" not in text


def test_daily_usage_breakdowns_are_labelled_counts(client_as, family):
    ActivityLogFactory(profile=family["kid"])
    usage = family["kid"].usage_statistics.get()
    type(usage).objects.filter(pk=usage.pk).update(device_breakdown={"kitchen speaker": 2})

    text = client_as("admin").get(url("activity.usagestatistic", "change", usage.pk)).text

    assert "Commands by device" in text and '<th scope="row">Kitchen speaker</th><td>2</td>' in text
