"""POST /activity and PATCH /activity/<client_id>: validated item by item, all or nothing, idempotent,
through the bulk path so the statistics stay exact."""

import threading
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, UsageStatistic
from activity.services import usage_statistics_rebuild

pytestmark = pytest.mark.django_db

# Two days ago at 17:30 in Berlin: within the window a device may report, whatever today is.
MOMENT = (
    (timezone.now() - timedelta(days=2))
    .astimezone(ZoneInfo("Europe/Berlin"))
    .replace(hour=17, minute=30, second=0, microsecond=0)
)


def item(household, **values):
    return {
        "client_id": str(uuid.uuid4()), "member": str(household.kid.pk), "command_text": "turn on the lights",
        "status": "success", "timestamp": MOMENT.isoformat(), "processing_time_ms": 800, **values,
    }  # fmt: skip


def statistics():
    return list(UsageStatistic.objects.order_by("profile_id", "date").values())


def test_a_batch_is_stored_with_its_history_and_exact_statistics(household):
    items = [
        item(household, status=s, history={"command_category": "lights"}) for s in ("success", "failed", "timeout")
    ]

    answer = household.api.post("/activity", {"items": items})

    assert answer.status_code == 200, answer.content
    assert answer.json()["stored"] == 3
    assert set(ActivityLog.objects.values_list("pk", flat=True)) == {uuid.UUID(i["client_id"]) for i in items}
    assert CommandHistory.objects.filter(command_category="lights", profile=household.kid).count() == 3
    day = UsageStatistic.objects.get(profile=household.kid)
    assert (day.command_count, day.success_count, day.failure_count, day.timeout_count) == (3, 1, 2, 1)
    assert day.command_categories == {"lights": 3}
    before = statistics()
    usage_statistics_rebuild()
    assert statistics() == before


def test_a_retried_batch_counts_once(household):
    items = [item(household) for _ in range(5)]

    first = household.api.post("/activity", {"items": items})
    again = household.api.post("/activity", {"items": items + [item(household)]})

    assert first.json()["stored"] == 5
    assert (again.json()["stored"], again.json()["duplicates"]) == (1, 5)
    assert UsageStatistic.objects.get(profile=household.kid).command_count == 6


BAD_VALUES = [
    ("client_id", "not-a-uuid"), ("client_id", None), ("member", "nobody"), ("member", 12),
    ("command_text", ""), ("command_text", None), ("command_text", "a\x00b"), ("command_text", "x" * 10_001),
    ("status", "done"), ("status", None), ("timestamp", "yesterday"), ("timestamp", "2026-11-20T17:30:00"),
    ("processing_time_ms", -1), ("processing_time_ms", 2**31), ("processing_time_ms", "fast"),
    ("whisper_time_ms", -5), ("n8n_time_ms", 1.5), ("tts_time_ms", []),
    ("transcription_confidence", 1.5), ("transcription_confidence", -0.1), ("transcription_confidence", 0.123),
    ("response_text", 7), ("response_text", "\x00"), ("error_message", {"a": 1}),
    ("metadata", "text"), ("metadata", [1]), ("metadata", {"k": "\x00"}),
    ("parent_client_id", "nope"), ("history", "x"), ("history", {"n8n_status_code": 42}),
    ("history", {"unknown_field": 1}), ("history", {"audio_duration_seconds": -1}),
    ("history", {"command_category": "c" * 101}), ("history", {"execution_metadata": [1]}),
    ("surprise", 1),
]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=[f"{f}={str(v)[:12]!r}" for f, v in BAD_VALUES])
def test_a_bad_value_is_refused_naming_item_and_field_and_nothing_is_stored(household, field, value):
    items = [item(household), item(household, **{field: value})]

    answer = household.api.post("/activity", {"items": items})

    assert answer.status_code == 400, answer.content
    errors = answer.json()["errors"]
    assert any(error["item"] == 1 and error["field"].split(".")[0] == field for error in errors), errors
    assert not ActivityLog.objects.exists() and not UsageStatistic.objects.exists()


def test_an_unknown_member_is_refused_naming_the_item(household):
    answer = household.api.post("/activity", {"items": [item(household), item(household, member=str(uuid.uuid4()))]})

    assert answer.status_code == 403
    assert answer.json()["errors"][0] == {
        "item": 1, "field": "member", "message": "the device “living room tray” acts for no family member with this id."
    }  # fmt: skip
    assert not ActivityLog.objects.exists()


def test_the_same_client_id_twice_in_one_batch_is_refused(household):
    twice = item(household)

    answer = household.api.post("/activity", {"items": [twice, twice]})

    assert answer.status_code == 400 and answer.json()["errors"][0]["item"] == 1
    assert not ActivityLog.objects.exists()


@pytest.mark.parametrize(
    "body", ["not json", "[]", '{"items": "x"}', '{"items": []}', "{}", '{"items": [1]}', b"\xff\xfe", "null"]
)
def test_malformed_bodies_get_400_and_store_nothing(household, body):
    answer = household.api.post("/activity", body)

    assert answer.status_code == 400, answer.content
    assert answer["Content-Type"].startswith("application/json")
    assert not ActivityLog.objects.exists()


def test_more_than_1000_items_are_refused(household):
    answer = household.api.post("/activity", {"items": [item(household) for _ in range(1001)]})

    assert answer.status_code == 400 and "1000" in answer.json()["detail"]
    assert not ActivityLog.objects.exists()


def test_a_body_larger_than_the_server_reads_is_refused(household, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    answer = household.api.post("/activity", {"items": [item(household, response_text="x" * 20_000)]})

    assert 400 <= answer.status_code < 500
    assert not ActivityLog.objects.exists()


def test_patch_sets_the_final_status_and_timings_and_the_statistics_follow(household):
    pending = item(household, status="pending", processing_time_ms=None)
    household.api.post("/activity", {"items": [pending]})

    answer = household.api.patch(f"/activity/{pending['client_id']}", {"status": "success", "processing_time_ms": 910})

    assert answer.status_code == 200, answer.content
    assert ActivityLog.objects.get(pk=pending["client_id"]).processing_time_ms == 910
    assert UsageStatistic.objects.get(profile=household.kid).success_count == 1


@pytest.mark.parametrize("body", [{"status": "won"}, {"processing_time_ms": -1}, {"command_text": "x"}, "[]"])
def test_patch_refuses_bad_values(household, body):
    pending = item(household, status="pending")
    household.api.post("/activity", {"items": [pending]})

    answer = household.api.patch(f"/activity/{pending['client_id']}", body)

    assert answer.status_code == 400
    assert ActivityLog.objects.get(pk=pending["client_id"]).status == "pending"


def test_patch_of_an_unknown_command_is_404(household):
    assert household.api.patch(f"/activity/{uuid.uuid4()}", {"status": "success"}).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_and_retries_keep_the_statistics_exact(household):
    batches = [
        [item(household, timestamp=(MOMENT + timedelta(minutes=n)).isoformat()) for n in range(40)] for _ in range(4)
    ]
    answers = []

    def send(batch):
        answers.append(household.api.post("/activity", {"items": batch}).status_code)
        connection.close()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches + batches]  # each batch twice at once
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 8
    assert ActivityLog.objects.count() == 160
    assert UsageStatistic.objects.get(profile=household.kid).command_count == 160
    before = statistics()
    usage_statistics_rebuild()
    assert statistics() == before
