"""The shapes of the tray API: what a device may send (checked here: types, sizes, text, times) and what it gets.

Answers are built from these schemas (`Schema.from_orm` reads a model's or a decision's attributes).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, ConfigDict

from tonnysite.json_values import json_storable_problem
from tonnysite.safe_input import moment_in_utc, moment_problem, text_problem

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

    @classmethod
    def of(cls, result) -> ActivityStored:
        """The answer to a batch from what `trayapi.services.tray_activity_record` stored and skipped."""
        return cls(
            stored=len(result.stored), duplicates=len(result.duplicates), stored_ids=result.stored,
            duplicate_ids=result.duplicates,
        )  # fmt: skip


class ActivityPatch(CommandOutcome):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "success", "processing_time_ms": 910}]}
    )


class ActivityOut(Schema):
    client_id: uuid.UUID
    status: str
    processing_time_ms: int | None

    @staticmethod
    def resolve_client_id(activity) -> uuid.UUID:
        return activity.pk


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

    @staticmethod
    def resolve_member(session) -> uuid.UUID | None:
        return session.profile_id


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


class Listed(Schema):
    """An answer sent as a list with an ETag: the JSON of each row, read through this schema."""

    @classmethod
    def dump_all(cls, rows) -> list[dict[str, Any]]:
        return [cls.from_orm(row).model_dump(mode="json") for row in rows]


class MemberOut(Listed):
    id: uuid.UUID
    name: str
    permission_level: str = Field(description="admin, user, kid or guest")
    is_active: bool | None


class QuickActionOut(Listed):
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
