"""Writes of the tray API: device tokens and what a device may do for its members (commands, sessions,
notifications read).

The HTTP layer (trayapi.api) checks shapes and types; these services check what only the
database knows (members, duplicates, ownership) and raise ValidationError / PermissionDenied with a
message the tray can show. Each runs in one transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, CommandStatus, Session, SessionIdleEnd
from activity.selectors import session_id_of
from activity.services import activity_record_many
from parental.models import ParentRequest
from parental.services import parent_approvals_use, parent_request_create
from profiles.models import UserProfile
from telemetry.models import Notification
from telemetry.selectors import device_time_window
from tonnysite.safe_input import text_problem
from trayapi.models import DeviceToken
from trayapi.selectors import device_acts_for, device_member, device_member_ids, device_row_check, not_your_member

TOKEN_PREFIX = "tt_"  # noqa: S105  (the visible start of every token, not a secret)
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at moves at most this often: no write per call


def token_hash(token: str) -> str:
    """The stored form of a token: sha256 (a token is 256 random bits, so no slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def device_token_create(
    *, name: str, members: list[UserProfile] | None = None, sensitive_settings: list[str] | None = None,
    created_by: str = "",
) -> tuple[DeviceToken, str]:  # fmt: skip
    """Create the token of a device named `name` (limited to `members` when given); return it and the
    token, which is shown this once and stored only as its hash."""
    name = (name or "").strip()
    if not name or text_problem(name):
        raise ValidationError({"name": "A device needs a name of plain text, e.g. “kitchen speaker”."})
    if DeviceToken.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A device called “{name}” exists already; revoke it or pick another name."})
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = DeviceToken(
        name=name, token_hash=token_hash(token), token_prefix=token[:10], created_by=created_by[:150],
        sensitive_settings=sorted(set(sensitive_settings or [])),
    )  # fmt: skip
    device.full_clean()
    device.save()
    device.members.set(members or [])
    return device, token


@transaction.atomic
def device_token_update(*, device: DeviceToken, name: str, sensitive_settings: list[str]) -> DeviceToken:
    """Rename a device or change which sensitive settings it may read (its token stays)."""
    name = (name or "").strip()
    if not name or text_problem(name):
        raise ValidationError({"name": "A device needs a name of plain text."})
    if DeviceToken.objects.filter(name__iexact=name).exclude(pk=device.pk).exists():
        raise ValidationError({"name": f"Another device is called “{name}”."})
    device.name, device.sensitive_settings = name, sorted(set(sensitive_settings))
    device.full_clean()
    device.save()
    return device


def device_token_members_set(*, device: DeviceToken, members: list[UserProfile]) -> None:
    """Limit the device to these members (none: every member)."""
    device.members.set(members)


def device_token_revoke(*, device: DeviceToken) -> DeviceToken:
    """Revoke a device's token now; every later call with it gets 401."""
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    return device


def device_authenticate(*, token: str, address: str | None) -> DeviceToken | None:
    """The active device whose token this is, or None; notes when and from where it was last used."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    device = DeviceToken.objects.filter(token_hash=token_hash(token), revoked_at=None).first()
    if device is None:
        return None
    now = timezone.now()
    if device.last_used_at is None or now - device.last_used_at > LAST_USED_EVERY or device.last_used_from != address:
        DeviceToken.objects.filter(pk=device.pk).update(last_used_at=now, last_used_from=address)
        device.last_used_at, device.last_used_from = now, address
    return device


def _session_ids_check(*, device: DeviceToken, items: list[tuple[str, uuid.UUID | None, dict | None]]) -> None:
    """Every metadata.session_id must be a session of the command's own member (or of no member, alike)."""
    named = {}
    for where, profile_id, metadata in items:
        if isinstance(metadata, dict) and "session_id" in metadata:
            session_id = session_id_of(metadata)
            if session_id is None:
                raise ValidationError({where: "metadata.session_id must be the id of a session."})
            named[where] = (session_id, profile_id)
    if not named:
        return
    owners = dict(Session.objects.filter(pk__in={sid for sid, _ in named.values()}).values_list("pk", "profile_id"))
    for where, (session_id, profile_id) in named.items():
        if session_id not in owners or owners[session_id] != profile_id:
            raise ValidationError({where: "metadata.session_id names no session of this command's member."})


# --- commands --------------------------------------------------------------------------------------

# Fields of a command-history row the tray may send with a command.
HISTORY_FIELDS = (
    "command", "raw_transcription", "normalized_command", "command_category", "n8n_workflow_id", "n8n_webhook_url",
    "n8n_request_payload", "n8n_response_payload", "n8n_response_time_ms", "n8n_status_code", "elevenlabs_voice_id",
    "elevenlabs_request_id", "audio_file_path", "audio_duration_seconds", "typed_response", "typing_target_app",
    "quick_action_id", "is_favorite", "execution_metadata",
)  # fmt: skip


@dataclass(frozen=True)
class RecordResult:
    stored: list[uuid.UUID]
    duplicates: list[uuid.UUID]


def tray_activity_record(*, device: DeviceToken, items: list[dict[str, Any]]) -> RecordResult:
    """Store a batch of commands all or nothing; a `client_id` stored before is skipped (a retried batch).

    Each item is a dict of the API's fields (validated for type by the API). The command's id is
    its client_id. Everything goes through the bulk path, so statistics stay exact; command-history
    rows go in first, in the same transaction, so the one refresh counts their categories too.
    """
    ids = [item["client_id"] for item in items]
    if len(set(ids)) != len(ids):
        seen: set[uuid.UUID] = set()
        first = next(i for i, client_id in enumerate(ids) if client_id in seen or seen.add(client_id))
        raise ValidationError({f"items.{first}.client_id": "The same client_id appears twice in the batch."})
    window = device_time_window()
    for index, item in enumerate(items):
        window.check(item.get("timestamp"), field=f"items.{index}.timestamp")
    _batch_members_check(device, items)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Two copies of one batch at once: the second waits here, then finds every id stored.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(7413, h) FROM "
                "(SELECT DISTINCT hashtext(id::text) AS h FROM unnest(%s::uuid[]) AS id ORDER BY 1) AS locks",
                [ids],
            )
        stored_before = set(ActivityLog.objects.filter(pk__in=ids).values_list("pk", flat=True))
        fresh = [item for item in items if item["client_id"] not in stored_before]
        now = timezone.now()
        history = [
            CommandHistory(
                profile_id=item.get("member"), timestamp=item.get("timestamp") or now,
                **{field: value for field, value in item["history"].items() if field in HISTORY_FIELDS},
            )
            for item in fresh if item.get("history")
        ]  # fmt: skip
        for row in history:
            row.full_clean(exclude=["profile"])
        CommandHistory.objects.bulk_create(history)
        activity_record_many(rows=[_activity_row(item, now) for item in fresh])
        parent_approvals_use(
            ran=[
                (item["member"], item["command_text"])
                for item in fresh
                if item.get("member") and item["status"] not in CommandStatus.failures()
            ]
        )
    return RecordResult(stored=[item["client_id"] for item in fresh], duplicates=[i for i in ids if i in stored_before])


def _batch_members_check(device: DeviceToken, items: list[dict[str, Any]]) -> None:
    wanted = {item.get("member") for item in items} - {None}
    found = set(UserProfile.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    for index, item in enumerate(items):
        member = item.get("member")
        if member is None and device_member_ids(device) is not None:
            raise PermissionDenied(
                f"items.{index}.member: the device “{device.name}” acts only for its members; name one."
            )
        if member is not None and (member not in found or not device_acts_for(device, member)):
            raise not_your_member(device, f"items.{index}.member")
    _session_ids_check(
        device=device,
        items=[
            (f"items.{index}.metadata", item.get("member"), item.get("metadata")) for index, item in enumerate(items)
        ],
    )


def _activity_row(item: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "id": item["client_id"],
        "timestamp": item.get("timestamp") or now,
        "status": item["status"],
        "metadata": item.get("metadata") or {},
        "profile_id": item.get("member"),
        "command_text": item["command_text"],
        "transcription_confidence": item.get("transcription_confidence"),
        "response_text": item.get("response_text"),
        "processing_time_ms": item.get("processing_time_ms"),
        "whisper_time_ms": item.get("whisper_time_ms"),
        "n8n_time_ms": item.get("n8n_time_ms"),
        "tts_time_ms": item.get("tts_time_ms"),
        "error_message": item.get("error_message"),
        "parent_command_id": item.get("parent_client_id"),
    }


# Fields the tray may set on a command it recorded earlier (its final status and timings).
ACTIVITY_UPDATE_FIELDS = (
    "status", "processing_time_ms", "whisper_time_ms", "n8n_time_ms", "tts_time_ms", "transcription_confidence",
    "response_text", "error_message", "metadata",
)  # fmt: skip


@transaction.atomic
def tray_activity_update(*, device: DeviceToken, client_id: uuid.UUID, values: dict[str, Any]) -> ActivityLog:
    """Set a recorded command's final status and timings (the ORM save refreshes its statistics)."""
    missing = ActivityLog.DoesNotExist(f"No command of a member this device acts for has the client_id {client_id}.")
    activity = ActivityLog.objects.select_for_update().filter(pk=client_id).first()
    if activity is None:
        raise missing
    device_row_check(device=device, profile_id=activity.profile_id, missing=missing)
    if "metadata" in values:
        _session_ids_check(device=device, items=[("metadata", activity.profile_id, values["metadata"])])
    for field, value in values.items():
        if field in ACTIVITY_UPDATE_FIELDS:
            setattr(activity, field, value)
    activity.full_clean(exclude=["profile", "parent_command_id"])
    activity.save()
    return activity


@transaction.atomic
def tray_session_start(
    *, device: DeviceToken, member_id: uuid.UUID | None, started_at: datetime | None, client_version: str | None,
    client_platform: str | None, session_id: uuid.UUID | None = None,
) -> Session:  # fmt: skip
    """Open a session of a member on this device (idempotent by `session_id`)."""
    profile = device_member(device=device, member_id=member_id)
    device_time_window().check(started_at, field="started_at")
    if session_id is not None:
        existing = Session.objects.filter(pk=session_id).first()
        if existing is not None:
            if existing.profile_id != (profile.pk if profile else None):
                raise ValidationError({"id": "This id is taken; a retried start repeats the member it named."})
            return existing
    session = Session(
        id=session_id or uuid.uuid4(), profile=profile, started_at=started_at or timezone.now(),
        client_version=client_version, client_platform=client_platform, metadata={"device": device.name},
    )  # fmt: skip
    session.full_clean(exclude=["profile"])
    session.save()
    session.refresh_from_db(fields=["duration_seconds"])  # the database's trigger computes it
    return session


@transaction.atomic
def tray_session_end(*, device: DeviceToken, session_id: uuid.UUID, ended_at: datetime | None) -> Session:
    """End an open session (its minutes count from then on); ending it again with no time changes nothing.

    Without a time it ends now, or where it went idle (SESSION_IDLE after its last command) if that
    was earlier: a tray that crashed and ends its old session on restart does not count the gap.
    A session that started before the device window (a clock years off) always ends where it went idle.
    """
    missing = Session.DoesNotExist(f"No session of a member this device acts for has the id {session_id}.")
    session = (
        Session.objects.select_for_update()
        .filter(pk=session_id)
        .annotate(idle_end=SessionIdleEnd("id", "started_at", Now()))
        .first()
    )
    if session is None:
        raise missing
    device_row_check(device=device, profile_id=session.profile_id, missing=missing)
    if session.ended_at is not None:
        if ended_at is None or ended_at == session.ended_at:
            return session
        raise ValidationError({"ended_at": "This session has ended already, at another time."})
    window = device_time_window()
    window.check(ended_at, field="ended_at")
    idle_end = min(session.idle_end, window.now) if session.idle_end else window.now
    if ended_at is None or (session.started_at is not None and session.started_at < window.earliest):
        ended_at = idle_end
    if session.started_at and ended_at < session.started_at:
        raise ValidationError({"ended_at": "A session cannot end before it started."})
    session.ended_at = ended_at
    session.save()
    session.refresh_from_db(fields=["duration_seconds"])  # the database's trigger computes it
    return session


# --- notifications ---------------------------------------------------------------------------------


@transaction.atomic
def tray_notifications_acknowledge(*, device: DeviceToken, member_id: uuid.UUID, ids: list[uuid.UUID]) -> int:
    """Mark these of the member's notifications delivered (sent now); return how many were still open."""
    profile = device_member(device=device, member_id=member_id)
    return Notification.objects.filter(profile=profile, pk__in=ids, sent_at=None).update(sent_at=timezone.now())


# --- asking a parent -------------------------------------------------------------------------------


def tray_parent_request_create(
    *, device: DeviceToken, member_id: uuid.UUID, kind: str, command: str | None = None, message: str = ""
) -> tuple[ParentRequest, bool]:
    """A member of this device asks a parent (parental.services.parent_request_create), named by the device."""
    profile = device_member(device=device, member_id=member_id)
    if profile is None:
        raise ValidationError({"member": "A request is made by a family member."})
    return parent_request_create(profile=profile, kind=kind, command=command, message=message, device=device.name)
