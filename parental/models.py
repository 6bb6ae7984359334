"""Asking a parent (the table parent_requests): a member refused by the policy asks for more time or one command."""

from django.contrib.postgres.functions import TransactionNow
from django.db import models

from profiles.models import UserProfile
from tonnysite.modeling import uuid_primary_key


class RequestKind(models.TextChoices):
    MORE_TIME = "more_time", "More time"
    COMMAND = "command", "One command"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a parent"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class ParentRequest(models.Model):
    """ "Ask a parent": a member refused by the policy asks for more time or for one command."""

    id = uuid_primary_key()
    profile = models.ForeignKey(
        UserProfile,
        on_delete=models.DB_CASCADE,
        related_name="parent_requests",
        db_comment="Who asks",
        verbose_name="member",
    )
    kind = models.CharField(max_length=20, choices=RequestKind, db_comment="more_time or command")
    command = models.TextField(null=True, blank=True, db_comment="The refused command (kind command)")
    command_key = models.TextField(
        null=True,
        blank=True,
        db_comment="The command as the policy compares it (parental.rules.command_normalize)",
        verbose_name="command, as matched",
    )
    reason = models.CharField(max_length=40, blank=True, default="", db_default="", db_comment="Why it was refused")
    message = models.TextField(blank=True, default="", db_default="", db_comment="What the member said, if anything")
    device = models.CharField(max_length=100, blank=True, default="", db_default="", db_comment="The asking device")
    status = models.CharField(
        max_length=20, choices=RequestStatus, default=RequestStatus.PENDING, db_default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(db_default=TransactionNow(), editable=False, verbose_name="asked")
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name="answered")
    decided_by = models.ForeignKey(
        UserProfile,
        on_delete=models.DB_SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_column="decided_by",
        verbose_name="answered by",
    )
    approved_until = models.DateTimeField(
        null=True, blank=True, db_comment="The approval holds until then", verbose_name="allowed until"
    )
    used_at = models.DateTimeField(
        null=True, blank=True, db_comment="When the one approved command ran", verbose_name="used"
    )

    class Meta:
        db_table = "parent_requests"
        db_table_comment = "Ask a parent: requests for more time or one refused command, and the parents' answers"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=RequestKind.values),
                name="parent_requests_kind_valid",
                violation_error_message="A request asks for more time or for one command.",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=RequestStatus.values),
                name="parent_requests_status_valid",
                violation_error_message="A request is pending, approved or declined.",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=RequestKind.COMMAND) | models.Q(command_key__gt=""),
                name="parent_requests_command_named",
                violation_error_message="A request for one command names the command.",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=RequestStatus.APPROVED) | models.Q(approved_until__isnull=False),
                name="parent_requests_approval_ends",
                violation_error_message="An approval says until when it holds.",
            ),
        ]
        indexes = [
            # The policy's question: an approval of this member that still holds.
            models.Index(
                fields=["profile", "-approved_until"],
                name="parent_requests_approved_idx",
                condition=models.Q(status="approved"),
            ),
            models.Index(
                fields=["-created_at"], name="parent_requests_pending_idx", condition=models.Q(status="pending")
            ),
        ]

    def __str__(self):
        what = "more time" if self.kind == RequestKind.MORE_TIME else f"“{self.command}”"
        return f"{self.profile} asks for {what}"
