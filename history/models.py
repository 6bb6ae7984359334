"""The change history (change_history): every change to what a family configures, whoever made it.

Rows are written by one PostgreSQL trigger function on the tracked tables (see the
migration), so the admin, a management command, the tray's API and plain SQL all
leave the same trail, once. Secret columns (PIN hashes, passwords, the values of
sensitive settings) are recorded as "changed", never with their content.
"""

from django.contrib.postgres.functions import TransactionNow
from django.db import models


class TrackedTable(models.TextChoices):
    """The tables whose changes are recorded, with the word a parent would use."""

    PROFILES = "user_profiles", "Profile"
    FAMILY_LOGINS = "family_logins", "Family login"
    LOGIN_ACCOUNTS = "auth_user", "Login account"
    QUICK_ACTIONS = "quick_actions", "Quick action"
    SETTINGS = "settings", "Setting"
    SYSTEM_EVENTS = "system_events", "System event"
    PARENT_REQUESTS = "parent_requests", "Request to a parent"
    DEVICE_TOKENS = "device_tokens", "Device token"
    NOTIFICATIONS = "notification_queue", "Notification"
    NOTIFICATION_CHANNELS = "notification_channels", "Notification channel"


class ChangeAction(models.TextChoices):
    INSERT = "insert", "Added"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"


class ChangeChannel(models.TextChoices):
    """How the change arrived: the family admin, a command, the tray's API, the app itself, or plain SQL."""

    ADMIN = "admin", "family admin"
    COMMAND = "command", "command"
    API = "api", "tray API"
    APP = "app", "app"
    SQL = "sql", "plain SQL"


class Change(models.Model):
    changed_at = models.DateTimeField(
        "date", db_default=TransactionNow(), editable=False, db_comment="When (transaction time)"
    )
    table_name = models.CharField("what", max_length=63, choices=TrackedTable, db_comment="The tracked table")
    row_id = models.CharField(max_length=255, db_comment="Primary key of the changed row, as text", verbose_name="row")
    row_label = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        db_comment="What the row was called then: a name, a key",
        verbose_name="about",
    )
    profile_id = models.UUIDField(
        null=True, blank=True, db_comment="The family member the row belongs to, if any", verbose_name="member id"
    )
    member_name = models.CharField(
        "member", max_length=100, null=True, blank=True, db_comment="That member's name then"
    )
    action = models.CharField("change", max_length=6, choices=ChangeAction)
    changes = models.JSONField(
        db_comment='{column: {"before": ..., "after": ...}}; secret columns hold only {"hidden": true} and whether set',
        verbose_name="what changed",
    )
    actor = models.CharField(
        max_length=150, db_comment="Who: a login, a device, a command or a database user", verbose_name="who"
    )
    via = models.CharField(
        "made from", max_length=10, choices=ChangeChannel, db_comment="admin, command, api, app or sql"
    )
    client = models.CharField(
        max_length=255, null=True, blank=True, db_comment="The writer's application_name", verbose_name="program"
    )

    class Meta:
        db_table = "change_history"
        db_table_comment = "Who changed what and when in the family's configuration; written by triggers only"
        ordering = ["-changed_at", "-id"]
        verbose_name = "change"
        indexes = [
            models.Index(fields=["table_name", "row_id", "-changed_at"], name="change_history_row_idx"),
            models.Index(fields=["profile_id", "-changed_at"], name="change_history_member_idx"),
            models.Index(fields=["-changed_at"], name="change_history_time_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=ChangeAction.values),
                name="change_history_action_valid",
                violation_error_message="A change is an insert, an update or a delete.",
            ),
            models.CheckConstraint(
                condition=models.Q(via__in=ChangeChannel.values),
                name="change_history_via_valid",
                violation_error_message="A change comes via admin, command, api, app or sql.",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.get_table_name_display().lower()} {self.row_label or self.row_id}"
