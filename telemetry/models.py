"""System events, the settings store and the notification queue."""

from django.contrib.postgres.functions import TransactionNow
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.db import models

from tonnysite.modeling import EnumField, member_reference, uuid_primary_key


class EventSeverity(models.TextChoices):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


class SystemEvent(models.Model):
    id = uuid_primary_key()
    timestamp = models.DateTimeField(null=True, db_default=TransactionNow(), verbose_name="when")
    event_type = models.CharField(max_length=100, verbose_name="what happened")
    severity = EnumField(
        enum_type="event_severity", choices=EventSeverity, default=EventSeverity.INFO, db_default=EventSeverity.INFO
    )
    component = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        db_comment="server, tray, whisper, n8n, ...",
        verbose_name="part of the system",
    )
    message = models.TextField()
    metadata = models.JSONField(null=True, blank=True, default=dict, db_default={}, verbose_name="details")
    stack_trace = models.TextField(null=True, blank=True, verbose_name="technical trace")
    profile = member_reference(related_name="system_events", verbose_name="member")
    session_id = models.UUIDField(null=True, blank=True, db_comment="Groups related events", verbose_name="session")
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name="resolved")
    resolved_by = member_reference(related_name="resolved_events", db_column="resolved_by")

    class Meta:
        db_table = "system_events"
        db_table_comment = "System-level events and errors, with resolution tracking"
        ordering = ["-timestamp"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(event_type=""),
                name="system_events_event_type_not_empty",
                violation_error_message="An event needs a type.",
            ),
        ]
        indexes = [
            models.Index(fields=["-timestamp"], name="system_events_time_idx"),
            BrinIndex(fields=["timestamp"], name="system_events_time_brin", autosummarize=True),
            models.Index(
                fields=[
                    "-timestamp",
                ],
                name="system_events_open_errors_idx",
                condition=models.Q(resolved_at__isnull=True, severity__in=["error", "critical"]),
            ),
            # The admin's filters: by severity, and resolved events, newest first.
            models.Index(fields=["severity", "-timestamp"], name="system_events_severity_idx"),
            models.Index(
                fields=["-timestamp"], name="system_events_resolved_idx", condition=models.Q(resolved_at__isnull=False)
            ),
            models.Index(fields=["session_id"], name="system_events_session_idx"),
            GinIndex(fields=["metadata"], name="system_events_metadata_gin", opclasses=["jsonb_path_ops"]),
        ]

    def __str__(self):
        return f"{str(self.severity).capitalize()}: {self.event_type.replace('_', ' ')}"


class Setting(models.Model):
    key = models.CharField(primary_key=True, max_length=255, db_comment="Dotted lowercase key, e.g. server.url")
    value = models.JSONField()
    category = models.CharField(max_length=100, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    is_sensitive = models.BooleanField(
        null=True,
        default=False,
        db_default=False,
        db_comment="Never shown in clear in any page, export or log",
        verbose_name="secret",
    )
    is_user_editable = models.BooleanField(
        null=True, default=True, db_default=True, verbose_name="members may change it"
    )
    default_value = models.JSONField(null=True, blank=True, verbose_name="default")
    validation_schema = models.JSONField(
        null=True,
        blank=True,
        db_comment="JSON Schema the value must satisfy",
        verbose_name="allowed values (JSON Schema)",
    )
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False, verbose_name="added")
    updated_at = models.DateTimeField(
        null=True, db_default=TransactionNow(), editable=False, verbose_name="last changed"
    )
    updated_by = member_reference(related_name="+", db_column="updated_by", verbose_name="changed by")

    # Columns no page may filter, search or sort on: a filter would confirm a guessed secret (the
    # schema of a sensitive setting says what its value looks like, so it is never filtered on either).
    secret_fields = ("value", "default_value", "validation_schema")

    class Meta:
        db_table = "settings"
        db_table_comment = "Application configuration as key/value pairs"
        ordering = ["category", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key__regex=r"^[a-z0-9_.]+$"),
                name="settings_key_format",
                violation_error_message="A key may use only lowercase letters, digits, '_' and '.'.",
            ),
        ]
        indexes = [
            GinIndex(fields=["value"], name="settings_value_gin", opclasses=["jsonb_path_ops"]),
            models.Index(fields=["category"], name="settings_category_idx"),
        ]

    def __str__(self):
        return self.key


class Notification(models.Model):
    id = uuid_primary_key()
    profile = member_reference(related_name="notifications", on_delete=models.DB_CASCADE, verbose_name="member")
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False, verbose_name="created")
    scheduled_for = models.DateTimeField(null=True, blank=True, db_default=TransactionNow(), verbose_name="send at")
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name="sent")
    notification_type = models.CharField(max_length=100, verbose_name="kind")
    title = models.CharField(max_length=255, null=True, blank=True)
    message = models.TextField()
    priority = models.IntegerField(null=True, default=5, db_default=5, db_comment="1-10, higher is more important")
    metadata = models.JSONField(null=True, blank=True, default=dict, db_default={}, verbose_name="details")
    retry_count = models.IntegerField(null=True, default=0, db_default=0, verbose_name="tries")
    max_retries = models.IntegerField(null=True, default=3, db_default=3, verbose_name="most tries")

    class Meta:
        db_table = "notification_queue"
        db_table_comment = "Notifications waiting to be delivered, with retries"
        ordering = ["-created_at"]
        verbose_name = "notification"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__gte=1, priority__lte=10),
                name="notification_queue_priority_range",
                violation_error_message="Priority is between 1 and 10.",
            ),
            models.CheckConstraint(
                condition=models.Q(retry_count__gte=0, retry_count__lte=models.F("max_retries")),
                name="notification_queue_retry_count_range",
                violation_error_message="Retries cannot be negative or exceed the maximum.",
            ),
            models.CheckConstraint(
                condition=models.Q(max_retries__gte=0),
                name="notification_queue_max_retries_non_negative",
                violation_error_message="The maximum number of retries cannot be negative.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["scheduled_for", "-priority"],
                name="notification_queue_pending_idx",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.title or self.notification_type
