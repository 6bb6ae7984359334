"""The tray's JSON API at /api/v1/ (django-ninja): routes that translate HTTP; shapes in trayapi.schemas, reads
in trayapi.selectors, writes in trayapi.services.

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
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.http import HttpResponse
from ninja import NinjaAPI, Query, Router, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer

from activity.models import ActivityLog, Session
from history.context import acting_as
from history.models import ChangeChannel
from parental.models import ParentRequest
from parental.rules import policy_decide
from tonnysite.errors import SERVER_FAULT, bad_input_message, bad_request
from trayapi import selectors, services
from trayapi.schemas import (
    Acknowledged,
    AcknowledgeIn,
    ActivityBatchIn,
    ActivityOut,
    ActivityPatch,
    ActivityStored,
    MemberOut,
    NotificationOut,
    PolicyOut,
    Problem,
    QuickActionOut,
    RequestIn,
    RequestOut,
    SessionEndIn,
    SessionIn,
    SessionOut,
    Text,
)  # fmt: skip

logger = logging.getLogger("trayapi")

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
    return ActivityStored.of(services.tray_activity_record(device=request.auth, items=items))


@router.patch(
    "/activity/{client_id}", response={200: ActivityOut, 400: Problem, 403: Problem, 404: Problem},
    summary="Set a command's final status and timings",
)  # fmt: skip
@as_device
def activity_update(request, client_id: uuid.UUID, payload: ActivityPatch):
    values = payload.model_dump(exclude_unset=True)
    return services.tray_activity_update(device=request.auth, client_id=client_id, values=values)


@router.post("/sessions", response={201: SessionOut, 400: Problem, 403: Problem}, summary="Start a session")
@as_device
def session_start(request, payload: SessionIn):
    session = services.tray_session_start(
        device=request.auth, member_id=payload.member, started_at=payload.started_at,
        client_version=payload.client_version, client_platform=payload.client_platform, session_id=payload.id,
    )  # fmt: skip
    return Status(201, session)


@router.post(
    "/sessions/{session_id}/end", response={200: SessionOut, 400: Problem, 403: Problem, 404: Problem},
    summary="End a session",
)  # fmt: skip
@as_device
def session_end(request, session_id: uuid.UUID, payload: SessionEndIn | None = None):
    ended_at = payload.ended_at if payload else None
    return services.tray_session_end(device=request.auth, session_id=session_id, ended_at=ended_at)


@router.get("/policy", response={200: PolicyOut, 400: Problem, 403: Problem}, summary="May this member run this?")
def policy(
    request,
    member: uuid.UUID,
    command: Annotated[Text, Query(max_length=1000, description="The command as the member said it")] = "",
):
    """The parental controls' decision for `member` and `command` now (see the README's parental controls)."""
    profile = selectors.device_member(device=request.auth, member_id=member)
    return policy_decide(profile=profile, command=command)


@router.get("/members", response={200: list[MemberOut], 304: None}, summary="The members this device acts for")
def members(request):
    """The family members this device may act for (all of them unless it is limited), with an ETag."""
    return with_etag(request, MemberOut.dump_all(selectors.members_of_device(device=request.auth)))


@router.get("/quick-actions", response={200: list[QuickActionOut], 304: None}, summary="The enabled quick actions")
def quick_actions(request):
    """The enabled quick actions, with an ETag: send it back as If-None-Match to get 304 when nothing changed."""
    return with_etag(request, QuickActionOut.dump_all(selectors.quick_actions_enabled()))


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
    asked, created = services.tray_parent_request_create(
        device=request.auth, member_id=payload.member, kind=payload.kind, command=payload.command,
        message=payload.message,
    )  # fmt: skip
    return Status(201 if created else 200, asked)


@router.get(
    "/requests/{request_id}", response={200: RequestOut, 403: Problem, 404: Problem}, summary="A request's answer"
)
def request_read(request, request_id: uuid.UUID):
    return selectors.parent_request_for_device(device=request.auth, request_id=request_id)


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
    return Acknowledged(acknowledged=count)


api.add_router("/", router)
