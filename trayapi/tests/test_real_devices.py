"""Real devices: odd text, clocks years off or running fast, trays that crash mid-session, devices
that reach for another member, forged headers. None of it may lock a child out, touch another
member, store half a request or answer with anything but JSON (tonnysite.safe_input, the README's
"Trusting no device")."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, Session, UsageStatistic
from activity.services import activity_record_many, usage_statistics_rebuild
from history.models import Change
from parental.models import ParentRequest
from parental.rules import policy_decide
from profiles.models import UserProfile
from telemetry.models import Setting
from tests.admin.conftest import signed_in_client
from tonnysite.safe_input import CLOCK_AHEAD, OFFLINE_DAYS

pytestmark = pytest.mark.django_db

SURROGATE = "x\ud800y"


def now():
    return timezone.now().replace(microsecond=0)


def item(household, member=None, **values):
    return {
        "client_id": str(uuid.uuid4()), "member": str((member or household.kid).pk), "command_text": "lights on",
        "status": "success", "timestamp": (now() - timedelta(hours=1)).isoformat(), **values,
    }  # fmt: skip


def stored_nothing():
    return not (ActivityLog.objects.exists() or CommandHistory.objects.exists() or UsageStatistic.objects.exists())


def assert_json_problem(answer, status: int):
    assert answer.status_code == status, answer.content[:300]
    assert answer["Content-Type"].startswith("application/json"), answer.content[:300]
    body = answer.json()
    assert set(body) == {"detail", "errors"} and isinstance(body["detail"], str) and body["detail"]
    return body


# --- odd text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        {"command_text": SURROGATE},
        {"response_text": SURROGATE},
        {"error_message": SURROGATE},
        {"history": {"command": SURROGATE}},
        {"history": {"command_category": "a\x00b"}},
        {"metadata": {"note": SURROGATE}},
    ],
)
def test_text_postgresql_cannot_store_is_a_400_naming_the_field(household, values):
    answer = household.api.post("/activity", {"items": [item(household), item(household, **values)]})

    body = assert_json_problem(answer, 400)
    assert body["errors"][0]["item"] == 1
    assert "surrogate" in body["detail"] or "NUL" in body["detail"] or "Unicode" in body["detail"]
    assert stored_nothing()


def test_a_surrogate_in_a_session_a_request_or_a_patch_is_a_400(household):
    UserProfile.objects.filter(pk=household.kid.pk).update(usage_limits={"daily_limit_minutes": 0})
    household.api.post("/activity", {"items": [recorded := item(household)]})

    session = household.api.post("/sessions", {"member": str(household.kid.pk), "client_version": SURROGATE})
    asked = household.api.post("/requests", {"member": str(household.kid.pk), "kind": "more_time",
                                             "message": SURROGATE})  # fmt: skip
    patched = household.api.patch(f"/activity/{recorded['client_id']}", {"response_text": SURROGATE})

    for answer in (session, asked, patched):
        assert assert_json_problem(answer, 400)["errors"][0]["field"] in ("client_version", "message", "response_text")
    assert not Session.objects.exists() and not ParentRequest.objects.exists()
    assert ActivityLog.objects.get().response_text is None


# --- clocks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "timestamp",
    [
        "2026-01-01T00:00:00+23:59",  # an offset PostgreSQL cannot hold
        "2026-01-01T00:00:00-14:30",
        "0001-01-01T00:00:00+00:00",
        "1950-06-01T12:00:00+00:00",
        "2999-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
    ],
)
def test_times_no_device_can_mean_are_refused(household, timestamp):
    answer = household.api.post("/activity", {"items": [item(household, timestamp=timestamp)]})
    session = household.api.post("/sessions", {"member": str(household.kid.pk), "started_at": timestamp})

    assert assert_json_problem(answer, 400)["errors"][0]["field"] == "timestamp"
    assert assert_json_problem(session, 400)["errors"][0]["field"] == "started_at"
    assert stored_nothing() and not Session.objects.exists()


def test_a_clock_running_fast_is_told_the_servers_time(household):
    fast = now() + CLOCK_AHEAD + timedelta(minutes=5)

    answer = household.api.post("/activity", {"items": [item(household, timestamp=fast.isoformat())]})

    detail = assert_json_problem(answer, 400)["detail"]
    assert "ahead of the server's clock" in detail and "set the device's clock" in detail
    server_time = datetime.fromisoformat(detail.split("server's clock (")[1].split(")")[0])
    assert abs(server_time - timezone.now()) < timedelta(minutes=1)
    assert stored_nothing()


def test_a_clock_a_little_fast_and_a_tray_back_from_days_offline_are_stored(household):
    slightly_fast = now() + CLOCK_AHEAD - timedelta(minutes=1)
    offline = now() - timedelta(days=OFFLINE_DAYS - 1)

    answer = household.api.post(
        "/activity",
        {
            "items": [
                item(household, timestamp=slightly_fast.isoformat()),
                item(household, timestamp=offline.isoformat()),
            ]
        },
    )

    assert answer.status_code == 200, answer.content
    assert ActivityLog.objects.count() == 2


def test_nothing_older_than_the_window_or_the_retention_cutoff_is_taken(household):
    too_old = now() - timedelta(days=OFFLINE_DAYS + 1)
    Setting.objects.update_or_create(key="privacy.log_retention_days", defaults={"value": 3, "category": "privacy"})
    before_cutoff = now() - timedelta(days=5)

    answers = [
        household.api.post("/activity", {"items": [item(household, timestamp=moment.isoformat())]})
        for moment in (too_old, before_cutoff)
    ]

    for answer in answers:
        assert "retention cutoff" in assert_json_problem(answer, 400)["detail"]
    assert stored_nothing()


def test_an_offset_is_kept_as_the_moment_it_names(household):
    moment = (now() - timedelta(hours=3)).astimezone(ZoneInfo("Pacific/Kiritimati"))  # +14:00

    answer = household.api.post("/activity", {"items": [item(household, timestamp=moment.isoformat())]})

    assert answer.status_code == 200
    assert ActivityLog.objects.get().timestamp == moment


# --- sessions never lock anyone out -----------------------------------------------------------------


@pytest.fixture
def sixty_minutes(household):
    UserProfile.objects.filter(pk=household.kid.pk).update(usage_limits={"daily_limit_minutes": 60})
    return household


def policy(household):
    return household.api.get("/policy", {"member": household.kid.pk, "command": "play music"}).json()


def open_session(household, started_at: datetime, member=None) -> Session:
    return Session.objects.create(profile=member or household.kid, started_at=started_at)


# A moment two days ago at noon, in the family's zone: the rules are checked there (policy_decide's
# `at`), so no test depends on the hour it runs.
NOON = timezone.localtime(timezone.now() - timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)


def test_an_open_session_a_crashed_tray_left_does_not_use_up_the_day(sixty_minutes):
    open_session(sixty_minutes, NOON - timedelta(hours=3))
    open_session(sixty_minutes, now() - timedelta(hours=3))

    then = policy_decide(profile=UserProfile.objects.get(pk=sixty_minutes.kid.pk), command="play music", at=NOON)
    answer = policy(sixty_minutes)

    assert then.allowed and then.minutes_used == pytest.approx(15)  # only SESSION_IDLE after its start counted
    assert answer["allowed"] is True, answer


def test_an_open_session_counts_up_to_its_last_command_plus_the_idle_time(sixty_minutes):
    start = NOON - timedelta(hours=2)
    session = open_session(sixty_minutes, start)
    ActivityLog.objects.create(
        profile=sixty_minutes.kid, command_text="song", status="success", timestamp=start + timedelta(minutes=50),
        metadata={"session_id": str(session.pk)},
    )  # fmt: skip
    profile = UserProfile.objects.get(pk=sixty_minutes.kid.pk)

    during = policy_decide(profile=profile, command="play music", at=start + timedelta(minutes=55))
    later = policy_decide(profile=profile, command="play music", at=NOON)

    assert during.minutes_used == pytest.approx(55)  # open and in use: counts up to the moment
    assert later.minutes_used == pytest.approx(65)  # idle since 15 minutes after its last command
    assert later.allowed is False and later.reason == "daily_limit_reached"


def test_a_session_from_year_one_can_be_ended_and_counts_nothing(sixty_minutes):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sessions (id, profile_id, started_at) VALUES (%s, %s, '0001-01-01 00:00+00')",
            [session_id := uuid.uuid4(), sixty_minutes.kid.pk],
        )

    assert policy(sixty_minutes)["allowed"] is True
    ended = sixty_minutes.api.post(f"/sessions/{session_id}/end", {"ended_at": now().isoformat()})

    assert ended.status_code == 200, ended.content
    assert ended.json()["duration_seconds"] == 15 * 60  # ended where it went idle: its clock was never right
    assert policy(sixty_minutes)["allowed"] is True
    assert not UsageStatistic.objects.exists()  # year one is no day to count


def test_ending_an_idle_session_without_a_time_ends_it_where_it_went_idle(sixty_minutes):
    session = open_session(sixty_minutes, now() - timedelta(hours=5))

    ended = sixty_minutes.api.post(f"/sessions/{session.pk}/end", {})

    assert ended.status_code == 200
    assert ended.json()["duration_seconds"] == 15 * 60


def test_the_session_list_shows_an_idle_session_as_such(sixty_minutes):
    open_session(sixty_minutes, now() - timedelta(hours=3))
    open_session(sixty_minutes, now() - timedelta(minutes=2), member=sixty_minutes.teen)

    parent = signed_in_client("mum")
    page = parent.get("/admin/activity/session/").content.decode()
    idle = parent.get("/admin/activity/session/", {"state": "idle"}).context["cl"].result_list
    still_open = parent.get("/admin/activity/session/", {"state": "open"}).context["cl"].result_list

    assert "not counted" in page and ">open<" in page
    assert [s.profile.name for s in idle] == ["Alex"] and [s.profile.name for s in still_open] == ["Sam"]


# --- a device acts only for its members -------------------------------------------------------------


def test_a_command_cannot_count_in_another_members_session(household):
    mums = Session.objects.create(profile=household.parent, started_at=now() - timedelta(minutes=5))

    answer = household.kid_api.post(
        "/activity", {"items": [item(household, status="failed", metadata={"session_id": str(mums.pk)})]}
    )
    unknown = household.kid_api.post(
        "/activity", {"items": [item(household, metadata={"session_id": str(uuid.uuid4())})]}
    )

    assert assert_json_problem(answer, 400)["detail"] == assert_json_problem(unknown, 400)["detail"]
    mums.refresh_from_db()
    assert (mums.command_count, mums.error_count) == (0, 0)
    assert stored_nothing()


def test_a_patch_cannot_move_a_command_into_another_members_session(household):
    mums = Session.objects.create(profile=household.parent, started_at=now() - timedelta(minutes=5))
    household.kid_api.post("/activity", {"items": [recorded := item(household)]})

    answer = household.kid_api.patch(
        f"/activity/{recorded['client_id']}", {"status": "failed", "metadata": {"session_id": str(mums.pk)}}
    )

    assert_json_problem(answer, 400)
    mums.refresh_from_db()
    assert mums.error_count == 0 and ActivityLog.objects.get().status == "success"


def test_a_limited_device_cannot_act_for_no_member(household):
    orphan_session = Session.objects.create(profile=None, started_at=now() - timedelta(minutes=5))
    orphan_command = ActivityLog.objects.create(profile=None, command_text="x", status="pending")

    started = household.kid_api.post("/sessions", {"member": None})
    recorded = household.kid_api.post("/activity", {"items": [item(household) | {"member": None}]})
    patched = household.kid_api.patch(f"/activity/{orphan_command.pk}", {"status": "success"})
    ended = household.kid_api.post(f"/sessions/{orphan_session.pk}/end", {})

    assert_json_problem(started, 403)
    assert_json_problem(recorded, 403)
    assert assert_json_problem(patched, 404)["detail"].startswith("No command of a member this device acts for")
    assert assert_json_problem(ended, 404)["detail"].startswith("No session of a member this device acts for")
    orphan_session.refresh_from_db()
    assert orphan_session.ended_at is None and ActivityLog.objects.get(pk=orphan_command.pk).status == "pending"


def test_unknown_ids_and_ids_of_other_members_get_the_same_answer(household):
    random_id, mums_id = uuid.uuid4(), household.parent.pk
    UserProfile.objects.filter(pk=household.parent.pk).update(usage_limits={"daily_limit_minutes": 0})
    mums_request = ParentRequest.objects.create(profile=household.parent, kind="more_time", reason="x")

    def shape(answer, hidden_id):
        return answer.status_code, answer.content.decode().replace(str(hidden_id), "ID")

    for path, params in (("/policy", {"command": "x"}), ("/notifications", {})):
        assert shape(household.kid_api.get(path, {"member": random_id, **params}), random_id) == shape(
            household.kid_api.get(path, {"member": mums_id, **params}), mums_id
        )
    assert shape(household.kid_api.get(f"/requests/{random_id}"), random_id) == shape(
        household.kid_api.get(f"/requests/{mums_request.pk}"), mums_request.pk
    )
    asked = [
        household.kid_api.post("/requests", {"member": str(member), "kind": "more_time"})
        for member in (random_id, mums_id)
    ]
    assert shape(asked[0], random_id) == shape(asked[1], mums_id)
    assert asked[0].status_code == 403


# --- every API error is JSON ------------------------------------------------------------------------


def test_an_oversized_body_is_a_json_400(household):
    answer = household.api.post("/activity", "x" * 10_000_000)

    assert "too large" in assert_json_problem(answer, 400)["detail"].lower()


@pytest.fixture
def failing_insert(db):
    """A real PostgreSQL error from inside the database (not a mock): a trigger that raises it."""

    def install(sqlstate: str):
        with connection.cursor() as cursor:
            cursor.execute(
                f"""CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'secret row text' USING ERRCODE = '{sqlstate}'; END $$;
                    CREATE TRIGGER test_refuse BEFORE INSERT ON sessions
                    FOR EACH ROW EXECUTE FUNCTION test_refuse();"""
            )

    return install


def test_a_value_the_database_refuses_is_a_json_400_without_its_text(household, failing_insert):
    failing_insert("22003")

    answer = household.api.post("/sessions", {"member": str(household.kid.pk)})

    body = assert_json_problem(answer, 400)
    assert "secret row text" not in answer.content.decode() and "too large" in body["detail"]


def test_an_unexpected_failure_is_a_json_500_with_no_detail(household, failing_insert):
    failing_insert("XX000")

    answer = household.api.post("/sessions", {"member": str(household.kid.pk)})

    body = assert_json_problem(answer, 500)
    assert "secret row text" not in answer.content.decode() and "nothing was stored" in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/members", "/api/v1/nowhere", "/admin/", "/admin/login/", "/"])
def test_a_forged_host_gets_a_plain_400_everywhere(household, path):
    answer = Client(raise_request_exception=False).get(
        path, HTTP_HOST="evil.example", HTTP_AUTHORIZATION=f"Bearer {household.api.token}"
    )

    assert answer.status_code == 400
    if path.startswith("/api/"):
        assert_json_problem(answer, 400)
    else:
        assert answer["Content-Type"].startswith("text/html") and b"host name" in answer.content


def test_an_unknown_api_address_is_a_json_404(household):
    assert_json_problem(household.api.get("/nowhere"), 404)


def test_a_method_an_address_does_not_take_is_a_json_405_with_allow(household):
    answer = household.api.send("put", "/activity", {})

    assert_json_problem(answer, 405)
    assert "POST" in answer["Allow"]


# --- the change history never shows a secret --------------------------------------------------------


def test_the_history_pages_never_show_an_earlier_clear_value(household):
    Setting.objects.create(key="elevenlabs.api_key", value="sk-findme-4471", category="voice")
    parent = signed_in_client("mum")
    shown_before = parent.get("/admin/history/change/", {"q": "elevenlabs"}).content.decode()

    Setting.objects.filter(key="elevenlabs.api_key").update(is_sensitive=True)
    entries = Change.objects.filter(table_name="settings", row_id="elevenlabs.api_key")
    pages = [
        parent.get("/admin/history/change/").content.decode(),
        parent.get("/admin/history/change/", {"q": "elevenlabs"}).content.decode(),
        *(parent.get(f"/admin/history/change/{entry.pk}/change/").content.decode() for entry in entries),
    ]

    assert "sk-findme-4471" in shown_before
    assert entries.count() == 2 and not any("sk-findme-4471" in page for page in pages)
    assert not Change.objects.filter(changes__icontains="sk-findme").exists()


# --- commands and the settings list --------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["0001-01-01T00:00", "9999-12-31T23:59", "1950-01-01T12:00+00:00"])
def test_policy_check_answers_a_moment_out_of_range_with_exit_2_and_one_line(household, moment, capsys):
    with pytest.raises(CommandError) as refused:
        call_command("policy_check", "Alex", "play music", "--at", moment)

    assert refused.value.returncode == 2 and "\n" not in str(refused.value) and "2000" in str(refused.value)


def test_the_settings_list_cannot_be_filtered_on_the_validation_schema(household):
    answer = signed_in_client("mum").get("/admin/telemetry/setting/", {"validation_schema__contains": "{}"})

    assert answer.status_code == 400


def test_rebuilding_statistics_skips_the_centuries_a_wrong_clock_put_between_rows(household):
    with connection.cursor() as cursor:
        for moment in ("0001-01-01 12:00+00", "2999-01-01 12:00+00", now() - timedelta(days=1)):
            cursor.execute(
                "INSERT INTO activity_logs (id, profile_id, command_text, status, timestamp) "
                "VALUES (gen_random_uuid(), %s, 'x', 'success', %s)",
                [household.kid.pk, moment],
            )
    chunks = []
    usage_statistics_rebuild(progress=chunks.append)

    assert len(chunks) <= 2, chunks
    assert UsageStatistic.objects.get(profile=household.kid).date == timezone.localdate(now() - timedelta(days=1))
    assert not UsageStatistic.objects.filter(date__year__in=[1, 2999]).exists()


def test_the_dashboard_answers_its_ranges_with_rows_centuries_off(household):
    activity_record_many(
        rows=[
            {"profile_id": household.kid.pk, "command_text": "x", "status": "success", "timestamp": moment}
            for moment in (datetime(1, 1, 1, 12, tzinfo=UTC), datetime(2999, 1, 1, 12, tzinfo=UTC), now())
        ]
    )
    with connection.cursor() as cursor:  # and statistics rows a plain-SQL client wrote for such days
        cursor.execute(
            "INSERT INTO usage_statistics (id, profile_id, date, command_count) VALUES "
            "(gen_random_uuid(), %s, '0001-01-01', 1), (gen_random_uuid(), %s, '2999-01-01', 1)",
            [household.kid.pk, household.kid.pk],
        )
    parent = signed_in_client("mum")

    for preset in ("today", "last_7_days", "this_year"):
        assert parent.get("/admin/dashboard/", {"range": preset}).status_code == 200
    assert parent.get("/admin/dashboard/", {"from": "2026-01-01", "to": "2026-12-31"}).status_code == 200
    assert parent.get("/admin/dashboard/usage.csv", {"range": "this_year"}).status_code == 200


def test_times_are_stored_in_utc_whatever_offset_the_tray_sent(household):
    moment = now() - timedelta(hours=2)
    answer = household.api.post(
        "/activity", {"items": [item(household, timestamp=moment.astimezone(ZoneInfo("America/Adak")).isoformat())]}
    )

    assert answer.status_code == 200
    assert ActivityLog.objects.get().timestamp == moment.astimezone(UTC)


@pytest.mark.parametrize(
    "arguments",
    [
        ["rebuild_usage_statistics", "--since", "0001-01-01"],
        ["rebuild_usage_statistics", "--until", "9999-12-31"],
        ["rebuild_usage_statistics", "--since", "x\udcffy"],
        ["generate_activity", "--rows", "10", "--days", "999999999999"],
        ["add_family_member", "b\udcff", "--role", "kid"],
        ["device_token_create", "a\udcff"],
        ["policy_check", "Alex", "x", "--at", "2026-01-01T00:00+23:59"],
    ],
)
def test_commands_answer_out_of_range_input_with_exit_2_and_one_line(household, arguments):
    with pytest.raises(CommandError) as refused:
        call_command(*arguments)

    assert refused.value.returncode == 2 and "\n" not in str(refused.value)
    assert not Session.objects.exists() and UserProfile.objects.count() == 3
