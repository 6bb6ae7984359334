"""Family members (user_profiles) and their quick actions (quick_actions).

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
    )
    voice_id = models.CharField(max_length=255, null=True, blank=True, db_comment="ElevenLabs voice id")
    preferred_agent = models.CharField(max_length=100, null=True, blank=True, db_comment="n8n workflow/agent name")
    response_mode = EnumField(
        enum_type="response_mode",
        choices=ResponseMode,
        null=True,
        blank=True,
        default=ResponseMode.BOTH,
        db_default=ResponseMode.BOTH,
    )
    is_active = models.BooleanField(null=True, default=True, db_default=True)
    pin_hash = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        editable=False,
        db_comment="bcrypt hash ($2b$...) of the parental-control PIN",
    )
    settings = models.JSONField(null=True, blank=True, default=dict, db_default={})
    voice_training_data = models.JSONField(null=True, blank=True, default=dict, db_default={})
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
    )
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False)
    updated_at = models.DateTimeField(
        null=True, db_default=TransactionNow(), editable=False, db_comment="Moved by a trigger on every update"
    )
    last_active_at = models.DateTimeField(
        null=True, blank=True, editable=False, db_comment="Time of the latest finished command"
    )

    # Columns no page may filter, search or sort on: a filter would confirm a guessed secret.
    secret_fields = ("pin_hash",)

    class Meta:
        db_table = "user_profiles"
        db_table_comment = "Family members with their role, voice, parental controls and usage limits"
        ordering = ["name"]
        verbose_name = "profile"
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


class QuickAction(models.Model):
    id = models.CharField(primary_key=True, max_length=100, db_comment="Slug such as good_morning")
    display_name = models.CharField(max_length=255)
    icon = models.CharField(max_length=50, null=True, blank=True, db_comment="Emoji or icon name")
    command_sequence = ArrayField(models.TextField(), db_comment="Commands run in order; at least one")
    description = models.TextField(null=True, blank=True)
    is_enabled = models.BooleanField(null=True, default=True, db_default=True)
    required_permission = EnumField(
        enum_type="permission_level",
        choices=PermissionLevel,
        null=True,
        blank=True,
        default=PermissionLevel.USER,
        db_default=PermissionLevel.USER,
        db_comment="Lowest role that may run it",
    )
    metadata = models.JSONField(null=True, blank=True, default=dict, db_default={})
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False)
    updated_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False)

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


class FamilyLogin(models.Model):
    """The sign-in of a family member: one Django user for one profile.

    A profile may have no login (a toddler, a guest); user_profiles itself stays
    exactly as the schema contract says, so the link lives in its own table.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="family_login")
    profile = models.OneToOneField(UserProfile, on_delete=models.DB_CASCADE, related_name="login")
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False)

    class Meta:
        db_table = "family_logins"
        db_table_comment = "Which Django login signs in as which family profile"
        ordering = ["profile__name"]
        verbose_name = "family login"

    def __str__(self):
        return f"{self.user} → {self.profile}"


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
        UserProfile, on_delete=models.DB_CASCADE, related_name="parent_requests", db_comment="Who asks"
    )
    kind = models.CharField(max_length=20, choices=RequestKind, db_comment="more_time or command")
    command = models.TextField(null=True, blank=True, db_comment="The refused command (kind command)")
    command_key = models.TextField(
        null=True, blank=True, db_comment="The command as the policy compares it (profiles.policy.command_normalize)"
    )
    reason = models.CharField(max_length=40, blank=True, default="", db_default="", db_comment="Why it was refused")
    message = models.TextField(blank=True, default="", db_default="", db_comment="What the member said, if anything")
    device = models.CharField(max_length=100, blank=True, default="", db_default="", db_comment="The asking device")
    status = models.CharField(
        max_length=20, choices=RequestStatus, default=RequestStatus.PENDING, db_default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(db_default=TransactionNow(), editable=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        UserProfile, on_delete=models.DB_SET_NULL, null=True, blank=True, related_name="+", db_column="decided_by"
    )
    approved_until = models.DateTimeField(null=True, blank=True, db_comment="The approval holds until then")
    used_at = models.DateTimeField(null=True, blank=True, db_comment="When the one approved command ran")

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
