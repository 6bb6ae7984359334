"""A member's notification channels (where their phone is told) and each delivery to one of them.

A channel is an Apprise address (ntfy, Telegram, Pushover, Signal, Matrix, Home Assistant,
e-mail, Discord, a JSON webhook …). The address usually holds a token, so it is stored sealed
(`tonnysite.secret_box`) and never shown again: pages show the service and the name the parent
gave it. The change history records that it changed, never what it is.
"""

from django.contrib.postgres.functions import TransactionNow
from django.db import models


class NotificationKind(models.TextChoices):
    """What a channel may be sent, in the words of its checkboxes."""

    REQUESTS = "requests", "requests from the children"
    ALERTS = "alerts", "alerts (sign-ins, backups, disk, the database)"
    REPORTS = "reports", "the weekly report"


# The notification types of the queue (notification_queue.notification_type) by kind.
KIND_OF_TYPE = {
    "parent_request": NotificationKind.REQUESTS,
    "request_answered": NotificationKind.REQUESTS,
    "alert": NotificationKind.ALERTS,
    "weekly_report": NotificationKind.REPORTS,
}


class NotificationChannel(models.Model):
    profile = models.ForeignKey(
        "profiles.UserProfile", on_delete=models.DB_CASCADE, related_name="notification_channels", verbose_name="member"
    )
    name = models.CharField(max_length=100, db_comment="What the member calls it: 'Dad's phone (ntfy)'")
    service = models.CharField(max_length=60, db_comment="The service Apprise read from the address: ntfy, Telegram")
    address = models.TextField(
        "address (sealed)", db_comment="The Apprise address, encrypted (tonnysite.secret_box); never shown"
    )
    enabled = models.BooleanField("on", default=True, db_default=True)
    sends_requests = models.BooleanField("requests", default=True, db_default=True)
    sends_alerts = models.BooleanField("alerts", default=True, db_default=True)
    sends_reports = models.BooleanField("weekly report", default=True, db_default=True)
    failures = models.IntegerField(
        default=0, db_default=0, db_comment="Deliveries given up on since the last one that arrived"
    )
    last_result = models.CharField(max_length=300, blank=True, default="", db_default="", verbose_name="last answer")
    last_sent_at = models.DateTimeField(null=True, blank=True, verbose_name="last sent")
    created_at = models.DateTimeField(db_default=TransactionNow(), editable=False, verbose_name="added")

    class Meta:
        db_table = "notification_channels"
        db_table_comment = "Where each member is told (Apprise addresses, sealed): requests, alerts, weekly report"
        ordering = ["profile__name", "name"]
        verbose_name = "notification channel"
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "name"],
                name="notification_channels_name_unique",
                violation_error_message="This member has a channel of that name already.",
            ),
            models.CheckConstraint(
                condition=models.Q(failures__gte=0),
                name="notification_channels_failures_non_negative",
                violation_error_message="Failures cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.service})"

    def sends(self, kind: str | None) -> bool:
        return kind is None or bool(getattr(self, f"sends_{kind}", False))

    @property
    def failing(self) -> bool:
        return self.failures > 0


class DeliveryStatus(models.TextChoices):
    WAITING = "waiting", "waiting"
    SENT = "sent", "sent"
    GIVEN_UP = "given_up", "given up"


class Delivery(models.Model):
    """One notification to one channel: sent once, retried with back-off, given up after the retry limit."""

    notification = models.ForeignKey("telemetry.Notification", on_delete=models.DB_CASCADE, related_name="deliveries")
    channel = models.ForeignKey(NotificationChannel, on_delete=models.DB_CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus, default=DeliveryStatus.WAITING)
    attempts = models.IntegerField(default=0, db_default=0, verbose_name="tries")
    next_attempt_at = models.DateTimeField(db_default=TransactionNow(), verbose_name="next try")
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name="sent")
    result = models.CharField(
        max_length=300, blank=True, default="", db_comment="The service's answer, in words", verbose_name="answer"
    )
    created_at = models.DateTimeField(db_default=TransactionNow(), editable=False, verbose_name="queued")

    class Meta:
        db_table = "notification_deliveries"
        db_table_comment = "Each notification to each channel: when, how it went, retries"
        ordering = ["-created_at"]
        verbose_name = "delivery"
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                name="notification_deliveries_once",
                violation_error_message="A notification goes to a channel once.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="notification_deliveries_status_valid",
                violation_error_message="A delivery is waiting, sent or given up.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_deliveries_due",
                condition=models.Q(status="waiting"),
            ),
        ]

    def __str__(self):
        return f"{self.channel.name}: {self.get_status_display()}"
