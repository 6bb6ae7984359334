"""The tray's JSON API at /api/v1/ (django-ninja): shapes and types here, everything else in trayapi.services.

Every call needs `Authorization: Bearer <device token>`; there are no session cookies, so there is
no CSRF surface. Every error is `{"detail": ..., "errors": [{"item", "field", "message"}]}`: bad input
400, a wrong or revoked token 401, an unknown member or one the device may not act for 403 (the same
answer), an unknown command, session or request or one of such a member 404 (the same answer), anything
unforeseen 500. Text and times are checked by tonnysite.safe_input (the README's "Trusting no device").
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.http import HttpResponse
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer
from pydantic import AfterValidator, AwareDatetime, ConfigDict

from activity.models import ActivityLog, Session
from history.context import acting_as
from history.models import ChangeChannel
from profiles.models import ParentRequest
from profiles.policy import policy_decide
from tonnysite.errors import SERVER_FAULT, bad_input_message, bad_request
from tonnysite.json_values import json_storable_problem
from tonnysite.safe_input import moment_in_utc, moment_problem, text_problem
from trayapi import selectors, services

logger = logging.getLogger("trayapi")

MAX_BATCH = 1000
INT4 = 2_147_483_647


def _storable_text(value: str) -> str:
    if problem := text_problem(value):
        raise ValueError(f"text {problem}")
    return value


def _plausible_moment(value: datetime) -> datetime:
    # The device's window (how far back, how far ahead) needs the server's clock: the services check it.
    if problem := moment_problem(value):
        raise ValueError(f"this time {problem}")
    return moment_in_utc(value)


def _storable_json(value: Any) -> Any:
    problem = json_storable_problem(value)
    if problem:
        raise ValueError(f"JSON {problem}")
    return value


Text = Annotated[str, AfterValidator(_storable_text)]
Moment = Annotated[AwareDatetime, AfterValidator(_plausible_moment)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_storable_json)]
Milliseconds = Annotated[int, Field(ge=0, le=INT4)]
StatusText = Literal["pending", "processing", "success", "failed", "timeout"]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class HistoryIn(Strict):
    """What the tray knows about how a command ran (command_history); every field optional."""

    command: Annotated[Text, Field(min_length=1, max_length=10_000)] | None = None
    raw_transcription: Annotated[Text, Field(max_length=10_000)] | None = None
    normalized_command: Annotated[Text, Field(max_length=10_000)] | None = None
    command_category: Annotated[Text, Field(max_length=100)] | None = None
    n8n_workflow_id: Annotated[Text, Field(max_length=255)] | None = None
    n8n_webhook_url: Annotated[Text, Field(max_length=2000)] | None = None
    n8n_request_payload: JsonObject | None = None
    n8n_response_payload: JsonObject | None = None
    n8n_response_time_ms: Milliseconds | None = None
    n8n_status_code: Annotated[int, Field(ge=100, le=599)] | None = None
    elevenlabs_voice_id: Annotated[Text, Field(max_length=255)] | None = None
    elevenlabs_request_id: Annotated[Text, Field(max_length=255)] | None = None
    audio_file_path: Annotated[Text, Field(max_length=2000)] | None = None
    audio_duration_seconds: Annotated[Decimal, Field(ge=0, lt=100_000_000, decimal_places=2)] | None = None
    typed_response: bool | None = None
    typing_target_app: Annotated[Text, Field(max_length=255)] | None = None
    quick_action_id: Annotated[Text, Field(max_length=100)] | None = None
    is_favorite: bool | None = None
    execution_metadata: JsonObject | None = None


class CommandOutcome(Strict):
    """How a command ended: what the tray may send when it records a command or finishes it later."""

    status: StatusText | None = None
    processing_time_ms: Milliseconds | None = None
    whisper_time_ms: Milliseconds | None = None
    n8n_time_ms: Milliseconds | None = None
    tts_time_ms: Milliseconds | None = None
    transcription_confidence: Annotated[Decimal, Field(ge=0, le=1, decimal_places=2)] | None = None
    response_text: Annotated[Text, Field(max_length=100_000)] | None = None
    error_message: Annotated[Text, Field(max_length=100_000)] | None = None
    metadata: JsonObject | None = None


class ActivityIn(CommandOutcome):
    client_id: uuid.UUID = Field(description="The tray's id for the command; a retried batch repeats it")
    member: uuid.UUID | None = Field(None, description="The family member's profile id, or null")
    command_text: Annotated[Text, Field(min_length=1, max_length=10_000)]
    status: StatusText
    timestamp: Moment | None = Field(None, description="When it was said (default: now), with its offset")
    parent_client_id: uuid.UUID | None = Field(None, description="The earlier turn of the same conversation")
    history: HistoryIn | None = None


class ActivityBatchIn(Strict):
    items: Annotated[list[ActivityIn], Field(min_length=1, max_length=MAX_BATCH)]

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "client_id": "0b9f4a56-3c1e-4c1a-9d7e-6f0e2b7c1a11",
                            "member": "5d0c1c6e-8a3b-4f7e-9b1a-2f3c4d5e6f70",
                            "command_text": "turn on the kitchen lights",
                            "status": "success",
                            "timestamp": "2026-11-26T17:05:00+01:00",
                            "processing_time_ms": 850,
                            "whisper_time_ms": 300,
                            "n8n_time_ms": 400,
                            "tts_time_ms": 150,
                            "transcription_confidence": 0.93,
                            "response_text": "The kitchen lights are on.",
                            "metadata": {"device": "kitchen speaker"},
                            "history": {"command": "lights.on kitchen", "command_category": "lights"},
                        }
                    ]
                }
            ]
        },
    )


class ActivityStored(Schema):
    stored: int = Field(description="Commands stored by this call")
    duplicates: int = Field(description="Commands already stored by an earlier call (skipped)")
    stored_ids: list[uuid.UUID]
    duplicate_ids: list[uuid.UUID]


class ActivityPatch(CommandOutcome):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "success", "processing_time_ms": 910}]}
    )


class ActivityOut(Schema):
    client_id: uuid.UUID
    status: str
    processing_time_ms: int | None


class SessionIn(Strict):
    id: uuid.UUID | None = Field(None, description="The tray's id for the session (makes a retry harmless)")
    member: uuid.UUID | None = None
    started_at: Moment | None = None
    client_version: Annotated[Text, Field(max_length=50)] | None = None
    client_platform: Annotated[Text, Field(max_length=50)] | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"member": "5d0c1c6e-8a3b-4f7e-9b1a-2f3c4d5e6f70", "client_version": "1.4.0",
                          "client_platform": "linux"}]
        },
    )  # fmt: skip


class SessionEndIn(Strict):
    ended_at: Moment | None = None


class SessionOut(Schema):
    id: uuid.UUID
    member: uuid.UUID | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None


class PolicyOut(Schema):
    allowed: bool
    reason: str = Field(description="allowed, approved_by_parent, inactive, paused, blocked_command, ...")
    message: str = Field(description="What the tray says to the member")
    until: datetime | None = Field(description="When this answer changes by itself, or null")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"allowed": False, "reason": "daily_limit_reached",
                          "message": "You've used all your Tonny time for today (60 minutes). "
                                     "See you tomorrow at 07:00!",
                          "until": "2026-11-27T07:00:00+01:00"}]
        }
    )  # fmt: skip


class MemberOut(Schema):
    id: uuid.UUID
    name: str
    permission_level: str = Field(description="admin, user, kid or guest")
    is_active: bool | None


class QuickActionOut(Schema):
    id: str
    display_name: str
    icon: str | None
    command_sequence: list[str]
    description: str | None
    required_permission: str | None
    metadata: dict[str, Any] | None


class RequestIn(Strict):
    member: uuid.UUID
    kind: Literal["more_time", "command"]
    command: Annotated[Text, Field(max_length=1000)] | None = Field(
        None, description="The refused command (kind command)"
    )
    message: Annotated[Text, Field(max_length=1000)] = ""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"member": "5d0c1c6e-8a3b-4f7e-9b1a-2f3c4d5e6f70", "kind": "more_time",
                          "message": "Just finishing my audiobook"}]
        },
    )  # fmt: skip


class RequestOut(Schema):
    id: uuid.UUID
    kind: str
    command: str | None
    status: str = Field(description="pending, approved or declined")
    approved_until: datetime | None
    created_at: datetime


class NotificationOut(Schema):
    id: uuid.UUID
    notification_type: str
    title: str | None
    message: str
    priority: int | None
    created_at: datetime | None


class AcknowledgeIn(Strict):
    member: uuid.UUID
    ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=100)]


class Acknowledged(Schema):
    acknowledged: int


class Problem(Schema):
    detail: str
    errors: list[dict[str, Any]] = []


# --- the API --------------------------------------------------------------------------------------


class DeviceToken(HttpBearer):
    """`Authorization: Bearer tt_…`: a device token made in the admin or by `manage.py device_token_create`."""

    def authenticate(self, request, token):
        return services.device_authenticate(token=token, address=request.META.get("REMOTE_ADDR"))


api = NinjaAPI(
    title="TonnyTray API",
    version="1",
    description=__doc__,
    auth=DeviceToken(),
    urls_namespace="trayapi",
    openapi_url="/openapi.json",
    docs_url=None,
)


def _field_errors(error: ValidationError) -> list[dict[str, Any]]:
    found = []
    for key, messages in error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]:
        parts = key.split(".")
        item = int(parts[1]) if len(parts) > 2 and parts[0] == "items" and parts[1].isdigit() else None
        field = parts[-1] if key not in ("", "__all__") else None
        found.extend({"item": item, "field": field, "message": message} for message in messages)
    return found


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc):
    errors = []
    for problem in exc.errors:
        location = [part for part in problem.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        item = location[1] if len(location) > 1 and location[0] == "items" and isinstance(location[1], int) else None
        fields = [str(part) for part in location if not isinstance(part, int) and part != "items"]
        errors.append({"item": item, "field": ".".join(fields) or None, "message": problem.get("msg", "invalid")})
    first = errors[0] if errors else {"item": None, "field": None, "message": "invalid"}
    where = (f"item {first['item']}, " if first["item"] is not None else "") + (first["field"] or "the body")
    return api.create_response(request, {"detail": f"{where}: {first['message']}", "errors": errors}, status=400)


@api.exception_handler(ValidationError)
def service_refused(request, exc):
    errors = _field_errors(exc)
    return api.create_response(request, {"detail": errors[0]["message"], "errors": errors}, status=400)


@api.exception_handler(PermissionDenied)
def not_for_this_device(request, exc):
    detail = str(exc) or "Not allowed for this device."
    where, _, message = detail.partition(": ")
    errors = _field_errors(ValidationError({where: message})) if message and " " not in where else []
    return api.create_response(request, {"detail": detail, "errors": errors}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "A valid device token is needed (Authorization: Bearer …).", "errors": []}, status=401
    )


@api.exception_handler(Exception)
def anything_else(request, exc):
    """Whatever else was raised is still JSON: bad input (a value the database refused, an oversized
    body) a 400 naming no stored value, anything unforeseen a 500 with no detail."""
    if isinstance(exc, SuspiciousOperation):
        return bad_request(request, exc)
    if (message := bad_input_message(exc)) is not None:
        logger.warning("Bad input answered with 400 on %s: %s", request.path, type(exc).__name__)
        return api.create_response(request, {"detail": message, "errors": []}, status=400)
    logger.error("Unexpected error in the tray API on %s", request.path, exc_info=exc)
    return api.create_response(request, {"detail": SERVER_FAULT, "errors": []}, status=500)


@api.exception_handler(ActivityLog.DoesNotExist)
@api.exception_handler(Session.DoesNotExist)
@api.exception_handler(ParentRequest.DoesNotExist)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found.", "errors": []}, status=404)


def as_device(view):
    """Run the view with the change history naming the device (via api)."""

    @functools.wraps(view)
    def run(request, *args, **kwargs):
        with acting_as(actor=f"device {request.auth.name}", via=ChangeChannel.API):
            return view(request, *args, **kwargs)

    return run


def with_etag(request, payload: Any) -> HttpResponse:
    """The JSON answer with an ETag of its content; 304 when the tray has it already (If-None-Match)."""
    body = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":")).encode()
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    asked = {value.strip() for value in request.headers.get("If-None-Match", "").split(",")}
    if tag in asked or "*" in asked:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = tag
    response["Cache-Control"] = "private, no-cache"
    return response


router = Router(tags=["tray"])


@router.post("/activity", response={200: ActivityStored, 400: Problem, 403: Problem}, summary="Record commands")
@as_device
def activity_record(request, payload: ActivityBatchIn):
    """Store up to 1,000 commands, all or nothing; a `client_id` stored before is skipped, so a retry is harmless."""
    items = [item.model_dump() for item in payload.items]
    for item in items:
        if item["history"] is not None:
            item["history"] = {key: value for key, value in item["history"].items() if value is not None}
            item["history"].setdefault("command", item["command_text"])
            item["history"].setdefault("raw_transcription", item["command_text"])
    result = services.tray_activity_record(device=request.auth, items=items)
    return {
        "stored": len(result.stored),
        "duplicates": len(result.duplicates),
        "stored_ids": result.stored,
        "duplicate_ids": result.duplicates,
    }


@router.patch(
    "/activity/{client_id}", response={200: ActivityOut, 400: Problem, 403: Problem, 404: Problem},
    summary="Set a command's final status and timings",
)  # fmt: skip
@as_device
def activity_update(request, client_id: uuid.UUID, payload: ActivityPatch):
    values = payload.model_dump(exclude_unset=True)
    activity = services.tray_activity_update(device=request.auth, client_id=client_id, values=values)
    return {"client_id": activity.pk, "status": activity.status, "processing_time_ms": activity.processing_time_ms}


def _session_out(session: Session) -> dict[str, Any]:
    session.refresh_from_db(fields=["duration_seconds"])
    return {
        "id": session.pk,
        "member": session.profile_id,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "duration_seconds": session.duration_seconds,
    }


@router.post("/sessions", response={201: SessionOut, 400: Problem, 403: Problem}, summary="Start a session")
@as_device
def session_start(request, payload: SessionIn):
    session = services.tray_session_start(
        device=request.auth, member_id=payload.member, started_at=payload.started_at,
        client_version=payload.client_version, client_platform=payload.client_platform, session_id=payload.id,
    )  # fmt: skip
    return Status(201, _session_out(session))


@router.post(
    "/sessions/{session_id}/end", response={200: SessionOut, 400: Problem, 403: Problem, 404: Problem},
    summary="End a session",
)  # fmt: skip
@as_device
def session_end(request, session_id: uuid.UUID, payload: SessionEndIn | None = None):
    ended_at = payload.ended_at if payload else None
    return _session_out(services.tray_session_end(device=request.auth, session_id=session_id, ended_at=ended_at))


@router.get("/policy", response={200: PolicyOut, 400: Problem, 403: Problem}, summary="May this member run this?")
def policy(
    request,
    member: uuid.UUID,
    command: Annotated[Text, Query(max_length=1000, description="The command as the member said it")] = "",
):
    """The parental controls' decision for `member` and `command` now (see the README's parental controls)."""
    profile = services.device_member(device=request.auth, member_id=member)
    decision = policy_decide(profile=profile, command=command)
    return {
        "allowed": decision.allowed,
        "reason": decision.reason,
        "message": decision.message,
        "until": decision.until,
    }


@router.get("/members", response={200: list[MemberOut], 304: None}, summary="The members this device acts for")
def members(request):
    """The family members this device may act for (all of them unless it is limited), with an ETag."""
    return with_etag(request, selectors.members_of_device(device=request.auth))


@router.get("/quick-actions", response={200: list[QuickActionOut], 304: None}, summary="The enabled quick actions")
def quick_actions(request):
    """The enabled quick actions, with an ETag: send it back as If-None-Match to get 304 when nothing changed."""
    return with_etag(request, selectors.quick_actions_enabled())


@router.get("/settings", response={200: dict[str, Any], 304: None}, summary="The settings this device may read")
def settings_read(request):
    """Every setting that is not sensitive, plus the sensitive ones this device is allowed; with an ETag."""
    return with_etag(request, selectors.settings_for_device(device=request.auth))


@router.post(
    "/requests", response={201: RequestOut, 200: RequestOut, 400: Problem, 403: Problem}, summary="Ask a parent"
)
@as_device
def request_create(request, payload: RequestIn):
    """After a refusal: ask the family admins for more time or for this one command. Asking again while
    the same request waits returns it (200) instead of a new one (201)."""
    asked, created = services.parent_request_create(
        device=request.auth, member_id=payload.member, kind=payload.kind, command=payload.command,
        message=payload.message,
    )  # fmt: skip
    return Status(201 if created else 200, _request_out(asked))


@router.get(
    "/requests/{request_id}", response={200: RequestOut, 403: Problem, 404: Problem}, summary="A request's answer"
)
def request_read(request, request_id: uuid.UUID):
    asked = ParentRequest.objects.filter(pk=request_id).first()
    if asked is None or not services.device_acts_for(request.auth, asked.profile_id):
        raise ParentRequest.DoesNotExist(f"No request of a member this device acts for has the id {request_id}.")
    return _request_out(asked)


def _request_out(asked: ParentRequest) -> dict[str, Any]:
    return {
        "id": asked.pk, "kind": asked.kind, "command": asked.command, "status": asked.status,
        "approved_until": asked.approved_until, "created_at": asked.created_at,
    }  # fmt: skip


@router.get(
    "/notifications", response={200: list[NotificationOut], 400: Problem, 403: Problem}, summary="Pending notifications"
)
def notifications(request, member: uuid.UUID):
    """A member's notifications that are due and not yet acknowledged, most important first."""
    return selectors.tray_notifications_pending(device=request.auth, member_id=member)


@router.post(
    "/notifications/ack", response={200: Acknowledged, 400: Problem, 403: Problem}, summary="Acknowledge notifications"
)
@as_device
def notifications_ack(request, payload: AcknowledgeIn):
    count = services.tray_notifications_acknowledge(device=request.auth, member_id=payload.member, ids=payload.ids)
    return {"acknowledged": count}


api.add_router("/", router)
