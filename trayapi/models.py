"""Device tokens: how a tray (or a script) proves it may use the API, one per device."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import TransactionNow
from django.db import models

from tonnysite.modeling import uuid_primary_key


class DeviceToken(models.Model):
    id = uuid_primary_key()
    name = models.CharField(max_length=100, unique=True, db_comment="The device, in the family's words")
    token_hash = models.CharField(
        max_length=64,
        unique=True,
        editable=False,
        db_comment="sha256 of the token (the token itself is never stored)",
        verbose_name="token (hashed)",
    )
    token_prefix = models.CharField(
        max_length=12,
        editable=False,
        db_comment="First characters, to recognise a token",
        verbose_name="token starts with",
    )
    members = models.ManyToManyField(
        "profiles.UserProfile",
        blank=True,
        related_name="device_tokens",
        db_table="device_token_members",
        help_text="Leave empty to let the device act for every member.",
    )
    sensitive_settings = ArrayField(
        models.CharField(max_length=255),
        blank=True,
        default=list,
        db_default=[],
        help_text="Keys of sensitive settings this device may read (e.g. elevenlabs.api_key).",
        verbose_name="secret settings it may read",
    )
    created_at = models.DateTimeField(db_default=TransactionNow(), editable=False, verbose_name="added")
    created_by = models.CharField(
        max_length=150, blank=True, default="", db_default="", editable=False, verbose_name="added by"
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name="revoked")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name="last used")
    last_used_from = models.GenericIPAddressField(null=True, blank=True, editable=False, verbose_name="last used from")

    class Meta:
        db_table = "device_tokens"
        db_table_comment = "API tokens of the tray devices (hashed), their members and their last use"
        ordering = ["name"]
        verbose_name = "tray device"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="device_tokens_name_not_empty",
                violation_error_message="A device needs a name.",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
