"""Writes to the system tables: system events, settings and notifications."""

from __future__ import annotations

import json
import uuid
from typing import Any

from axes.helpers import get_client_ip_address, get_failure_limit
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from jsonschema import SchemaError
from jsonschema.validators import validator_for

from profiles.models import UserProfile
from telemetry.models import EventSeverity, Notification, Setting, SystemEvent
from tonnysite.json_values import json_parse, json_storable_check
from tonnysite.markers import KEEP, Keep

# A value JSON can hold: what a setting's value, default and schema are.
JsonValue = None | bool | int | float | str | list[Any] | dict[str, Any]


def log_system_event(
    *,
    event_type: str,
    severity: str,
    component: str | None,
    message: str,
    metadata: dict[str, Any] | None = None,
    profile_id: uuid.UUID | str | None = None,
) -> uuid.UUID:
    """Record a system event through the SQL function of the same name; return its id.

    The Python twin calls the SQL function so both paths write exactly the same row.
    """
    if severity not in EventSeverity.values:
        raise ValidationError(f"Unknown severity {severity!r}: use one of {', '.join(EventSeverity.values)}.")
    if not event_type:
        raise ValidationError("An event needs a type.")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT log_system_event(%s, %s::event_severity, %s, %s, %s::jsonb, %s)",
            [event_type, severity, component, message, json.dumps(metadata or {}), profile_id],
        )
        return cursor.fetchone()[0]


def login_failure_log(*, credentials: dict[str, Any], request: HttpRequest | None) -> uuid.UUID:
    """Record a failed sign-in as a warning event: the username tried and the client's address.

    Only those two values are copied out of the attempt, so the password can never reach the row.
    """
    username = credentials.get(get_user_model().USERNAME_FIELD)
    ip_address = _client_ip_address(request)
    return log_system_event(
        event_type="auth.login_failed",
        severity=EventSeverity.WARNING,
        component="admin",
        message=f"Failed sign-in for {username!r} from {ip_address or 'an unknown address'}.",
        metadata={"username": username, "ip_address": ip_address},
    )


def login_lockout_log(
    *, username: str | None, ip_address: str | None, request: HttpRequest | None = None
) -> uuid.UUID | None:
    """Record that repeated failures locked a username out from an address (an error event), once.

    django-axes announces a lockout again on every attempt refused while it lasts; only the
    attempt whose failure reached the limit starts a lockout, so only that one is recorded.
    Returns the event's id, or None when the lockout was already recorded.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    if request is not None and failures != get_failure_limit(request, getattr(request, "axes_credentials", None)):
        return None
    return log_system_event(
        event_type="auth.locked_out",
        severity=EventSeverity.ERROR,
        component="admin",
        message=f"Sign-in locked for {username!r} from {ip_address or 'an unknown address'} after repeated "
        "failures; `manage.py axes_reset` unlocks it before the cool-off ends.",
        metadata={"username": username, "ip_address": ip_address},
    )


def _client_ip_address(request: HttpRequest | None) -> str | None:
    # The address axes locks out, so the event and the lockout name the same client.
    return None if request is None else get_client_ip_address(request)


@transaction.atomic
def system_events_resolve(
    *, events: QuerySet[SystemEvent], resolved_by: UserProfile | None = None
) -> list[SystemEvent]:
    """Mark the open events of `events` resolved now, by `resolved_by` (a profile, or None); return them.

    Events already resolved keep who resolved them and when.
    """
    open_events = list(events.filter(resolved_at__isnull=True).select_for_update(of=("self",)))
    now = timezone.now()
    SystemEvent.objects.filter(pk__in=[e.pk for e in open_events]).update(resolved_at=now, resolved_by=resolved_by)
    for event in open_events:
        event.resolved_at, event.resolved_by = now, resolved_by
    return open_events


@sensitive_variables("text")
def setting_value_parse(*, text: str | None) -> JsonValue | Keep:
    """Read a setting's value as typed: JSON text, or KEEP when blank ("keep the current value").

    The one rule for every form or command that lets the value be left alone, so a sensitive
    value never has to be shown in order to be kept. Raises ValidationError on `value`.
    """
    if text is None or not text.strip():
        return KEEP
    return json_parse(text, field="value", label="Value")


def setting_schema_check(*, schema: JsonValue) -> None:
    """Raise ValidationError (on validation_schema) unless `schema` is a valid JSON Schema."""
    if schema is None:
        return
    if not isinstance(schema, (dict, bool)):
        raise ValidationError({"validation_schema": "A JSON Schema is an object ({…}), true or false."})
    try:
        validator_for(schema).check_schema(schema)
    except SchemaError as error:
        raise ValidationError({"validation_schema": f"Not a valid JSON Schema: {error.message}"}) from error


def setting_value_check(*, setting: Setting, value: JsonValue, field: str = "value") -> None:
    """Raise ValidationError (on `field`) unless `value` satisfies the setting's validation_schema.

    For a sensitive setting the messages name the rule broken, never the value.
    """
    schema = setting.validation_schema
    if schema is None:
        return
    setting_schema_check(schema=schema)
    validator = validator_for(schema)(schema)
    problems = sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))
    if not problems:
        return
    messages = []
    for problem in problems:
        where = "/".join(str(part) for part in problem.absolute_path)
        if setting.is_sensitive:
            text = f"The value breaks the schema rule {problem.validator!r}: {json.dumps(problem.validator_value)}."
        else:
            text = f"{problem.message}."
        messages.append(f"At {where}: {text}" if where else text)
    raise ValidationError({field: messages})


@sensitive_variables("value", "stored")
def setting_check(
    *, setting: Setting, value: JsonValue | Keep = KEEP, stored: Setting | None = None, by_the_app: bool = False
) -> JsonValue:
    """Check `setting` as edited, with `value` (KEEP keeps the stored one); return the value to store.

    `stored` is the setting as saved (None for a new one). Raises ValidationError naming
    the field: a read-only setting (unless `by_the_app`: the app's own bookkeeping, such as the
    purge's privacy.purged_before, is read-only to people only), a sensitive setting made
    visible again or given a new validation schema (the schema would tell whether a guess about
    the hidden value is right), JSON that PostgreSQL cannot store, null, and a value or default
    that breaks the schema.
    """
    if stored is not None:
        if stored.is_user_editable is False and not by_the_app:
            raise ValidationError(f"The setting {setting.key} is read-only.")
        if stored.is_sensitive and not setting.is_sensitive:
            raise ValidationError({"is_sensitive": "A sensitive setting stays sensitive, so its value is never shown."})
        if stored.is_sensitive and setting.validation_schema != stored.validation_schema:
            raise ValidationError(
                {
                    "validation_schema": "The validation schema of a sensitive setting cannot be changed: "
                    "checking the hidden value against a new schema would give it away."
                }
            )
        if value is KEEP:
            value = stored.value
    elif value is KEEP:
        raise ValidationError({"value": "A new setting needs a value."})
    if value is None:
        raise ValidationError({"value": "A setting needs a value; JSON null cannot be stored."})
    json_storable_check(value, field="value")
    json_storable_check(setting.default_value, field="default_value", label="Default value")
    json_storable_check(setting.validation_schema, field="validation_schema", label="Validation schema")
    setting_value_check(setting=setting, value=value)
    if setting.default_value is not None:
        setting_value_check(setting=setting, value=setting.default_value, field="default_value")
    return value


@sensitive_variables("value", "stored")
@transaction.atomic
def setting_update(
    *,
    setting: Setting,
    value: JsonValue | Keep = KEEP,
    updated_by: UserProfile | None = None,
    by_the_app: bool = False,
) -> Setting:
    """Save `setting` (its other fields as edited) with a new `value`, or its current one when KEEP.

    Everything `setting_check` refuses is refused here too; `by_the_app` is for the app's own
    writes (never a person's), which may change a setting that is read-only to people.
    """
    stored = Setting.objects.select_for_update().filter(pk=setting.pk).first()
    setting.value = setting_check(setting=setting, value=value, stored=stored, by_the_app=by_the_app)
    setting.updated_by = updated_by
    # Empty JSON ("", [], {}) is a legitimate value, which full_clean would call blank.
    setting.full_clean(exclude=["value"])
    setting.save()
    return setting


def setting_reset_to_default(*, setting: Setting, updated_by: UserProfile | None = None) -> Setting:
    """Put a setting back to its default_value (checked against its schema)."""
    if setting.default_value is None:
        raise ValidationError(f"The setting {setting.key} has no default value.")
    return setting_update(setting=setting, value=setting.default_value, updated_by=updated_by)


# Given up and waiting notifications start again from now, as if new: no retries counted, no
# "failed" mark (the worker skips those), no error from the last round.
_NOTIFICATIONS_RETRY = """
UPDATE notification_queue
   SET scheduled_for = now(), retry_count = 0, metadata = coalesce(metadata, '{}'::jsonb) - 'failed' - 'error'
 WHERE id = ANY(%(ids)s) AND sent_at IS NULL
"""


@transaction.atomic
def notifications_retry(*, notifications: QuerySet[Notification]) -> int:
    """Send the waiting and given-up notifications of `notifications` again from now; return how many.

    Those sent (or acknowledged by the tray) already stay as they are. The change history names
    whoever asked (the admin's login), like any change of a notification.
    """
    ids = list(notifications.order_by().values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(_NOTIFICATIONS_RETRY, {"ids": ids})
        return cursor.rowcount


@transaction.atomic
def notifications_delete(*, notifications: QuerySet[Notification]) -> int:
    """Take `notifications` out of the queue, sent or not; return how many went."""
    deleted, _ = Notification.objects.filter(pk__in=notifications.order_by().values("pk")).delete()
    return deleted
