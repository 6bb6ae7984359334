"""Family members (user_profiles), their logins and their requests to a parent.

Every default is a database default so a plain-SQL insert matches the ORM; the
fields a form shows also carry the same Python default for the add form.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import TransactionNow
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Length

from tonnysite.modeling import EnumField, uuid_primary_key

# The start of a bcrypt hash in modular-crypt form ($2b$12$...): enough to refuse a PIN in
# clear, while admitting what other clients write (placeholders, truncated copies), which
# simply never verifies.
BCRYPT_HASH_REGEX = r"^\$2[aby]\$[0-9]{2}\$"


class PermissionLevel(models.TextChoices):
    ADMIN = "admin"
    USER = "user"
    KID = "kid"
    GUEST = "guest"

    @classmethod
    def rank(cls, level: str) -> int:
        """Return 0 for admin up to 3 for guest: a lower rank may do more."""
        return cls.values.index(level)


class ResponseMode(models.TextChoices):
    TEXT_ONLY = "text_only", "Text only"
    VOICE_ONLY = "voice_only", "Voice only"
    BOTH = "both", "Text and voice"


class UserProfile(models.Model):
    id = uuid_primary_key()
    name = models.CharField(max_length=100, unique=True, db_comment="Display name, unique in the family")
    permission_level = EnumField(
        enum_type="permission_level",
        choices=PermissionLevel,
        default=PermissionLevel.USER,
        db_default=PermissionLevel.USER,
        db_comment="admin, user, kid or guest",
        verbose_name="role",
    )
    voice_id = models.CharField(
        max_length=255, null=True, blank=True, db_comment="ElevenLabs voice id", verbose_name="voice (ElevenLabs)"
    )
    preferred_agent = models.CharField(
        max_length=100, null=True, blank=True, db_comment="n8n workflow/agent name", verbose_name="assistant (n8n)"
    )
    response_mode = EnumField(
        enum_type="response_mode",
        choices=ResponseMode,
        null=True,
        blank=True,
        default=ResponseMode.BOTH,
        db_default=ResponseMode.BOTH,
        verbose_name="how Tonny answers",
    )
    is_active = models.BooleanField(null=True, default=True, db_default=True, verbose_name="active")
    pin_hash = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        editable=False,
        db_comment="bcrypt hash ($2b$...) of the parental-control PIN",
        verbose_name="PIN",
    )
    settings = models.JSONField(null=True, blank=True, default=dict, db_default={}, verbose_name="preferences")
    voice_training_data = models.JSONField(
        null=True, blank=True, default=dict, db_default={}, verbose_name="voice training"
    )
    allowed_commands = ArrayField(
        models.TextField(), null=True, blank=True, db_comment="Whitelist of commands (kids, guests)"
    )
    blocked_commands = ArrayField(models.TextField(), null=True, blank=True, db_comment="Blacklist of commands")
    usage_limits = models.JSONField(
        null=True,
        blank=True,
        default=dict,
        db_default={},
        db_comment="daily_limit_minutes, allowed_hours [from, to], school_day_limit, weekend_limit",
        verbose_name="limits",
    )
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False, verbose_name="added")
    updated_at = models.DateTimeField(
        null=True,
        db_default=TransactionNow(),
        editable=False,
        db_comment="Moved by a trigger on every update",
        verbose_name="last changed",
    )
    last_active_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        db_comment="Time of the latest finished command",
        verbose_name="last active",
    )

    # Columns no page may filter, search or sort on: a filter would confirm a guessed secret.
    secret_fields = ("pin_hash",)

    class Meta:
        db_table = "user_profiles"
        db_table_comment = "Family members with their role, voice, parental controls and usage limits"
        ordering = ["name"]
        verbose_name = "member"
        constraints = [
            models.CheckConstraint(
                condition=models.lookups.GreaterThanOrEqual(Length("name"), 2),
                name="user_profiles_name_min_length",
                violation_error_message="A name needs at least 2 characters.",
            ),
            models.CheckConstraint(
                condition=models.Q(voice_id__isnull=True) | ~models.Q(voice_id=""),
                name="user_profiles_voice_id_not_empty",
                violation_error_message="A voice id, when set, cannot be empty.",
            ),
            models.CheckConstraint(
                condition=models.Q(pin_hash__isnull=True) | models.Q(pin_hash__regex=BCRYPT_HASH_REGEX),
                name="user_profiles_pin_hash_bcrypt",
                violation_error_message="A PIN is stored only as a bcrypt hash ($2b$12$...), never in clear.",
            ),
        ]
        indexes = [
            GinIndex(fields=["settings"], name="user_profiles_settings_gin"),
        ]

    def __str__(self):
        return self.name


class FamilyLogin(models.Model):
    """The sign-in of a family member: one Django user for one profile.

    A profile may have no login (a toddler, a guest); user_profiles itself stays
    exactly as the schema contract says, so the link lives in its own table.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="family_login", verbose_name="login"
    )
    profile = models.OneToOneField(
        UserProfile, on_delete=models.DB_CASCADE, related_name="login", verbose_name="member"
    )
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False, verbose_name="added")

    class Meta:
        db_table = "family_logins"
        db_table_comment = "Which Django login signs in as which family profile"
        ordering = ["profile__name"]
        verbose_name = "family login"

    def __str__(self):
        return f"{self.user} → {self.profile}"
