"""Quick actions: command macros a member runs with one tap (the table quick_actions)."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import TransactionNow
from django.db import models

from profiles.models import PermissionLevel
from tonnysite.modeling import EnumField


class QuickAction(models.Model):
    id = models.CharField(primary_key=True, max_length=100, db_comment="Slug such as good_morning", verbose_name="key")
    display_name = models.CharField(max_length=255, verbose_name="name")
    icon = models.CharField(max_length=50, null=True, blank=True, db_comment="Emoji or icon name")
    command_sequence = ArrayField(
        models.TextField(), db_comment="Commands run in order; at least one", verbose_name="commands"
    )
    description = models.TextField(null=True, blank=True)
    is_enabled = models.BooleanField(null=True, default=True, db_default=True, verbose_name="on")
    required_permission = EnumField(
        enum_type="permission_level",
        choices=PermissionLevel,
        null=True,
        blank=True,
        default=PermissionLevel.USER,
        db_default=PermissionLevel.USER,
        db_comment="Lowest role that may run it",
        verbose_name="lowest role that may use it",
    )
    metadata = models.JSONField(null=True, blank=True, default=dict, db_default={}, verbose_name="other details")
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False, verbose_name="added")
    updated_at = models.DateTimeField(
        null=True, db_default=TransactionNow(), editable=False, verbose_name="last changed"
    )

    class Meta:
        db_table = "quick_actions"
        db_table_comment = "Command macros a family member can run with one tap"
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id__regex=r"^[a-z0-9_]+$"),
                name="quick_actions_id_slug",
                violation_error_message="The id may use only lowercase letters, digits and underscores.",
            ),
            # array_length() of an empty array is NULL, which a CHECK lets through;
            # cardinality (Django's __len) is 0 for an empty array.
            models.CheckConstraint(
                condition=models.Q(command_sequence__len__gte=1),
                name="quick_actions_command_sequence_not_empty",
                violation_error_message="A quick action needs at least one command.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["required_permission"],
                name="quick_actions_enabled_idx",
                condition=models.Q(is_enabled=True),
            ),
        ]

    def __str__(self):
        return self.display_name
