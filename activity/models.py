"""The audit trail (activity_logs, command_history), sessions and daily usage statistics."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.functions import TransactionNow
from django.contrib.postgres.indexes import BrinIndex, GinIndex
from django.db import models
from django.db.models.functions import Cast, Extract, ExtractHour, ExtractWeekDay, Floor, Length
from django.utils.formats import date_format
from django.utils.timezone import localtime

from tonnysite.modeling import EnumField, full_text, member_reference, uuid_primary_key


class CommandStatus(models.TextChoices):
    PENDING = "pending"
    PROCESSING = "processing"
    SUCCESS = "success"
    FAILED = "failed"
    TIMEOUT = "timeout", "Timed out"

    @classmethod
    def finished(cls) -> tuple[str, ...]:
        """Statuses that end a command; only these count in usage statistics."""
        return (cls.SUCCESS, cls.FAILED, cls.TIMEOUT)

    @classmethod
    def failures(cls) -> tuple[str, ...]:
        """Finished statuses that count as failures."""
        return (cls.FAILED, cls.TIMEOUT)


# How the tray records a command the parental controls refused: status failed, with
# metadata {"error_type": REFUSED_ERROR_TYPE, "policy": {"reason": PolicyReason, "rule": "..."}}
# (README: "Recording a refusal"). The policy (parental.rules) decides; this is the record's shape.
REFUSED_ERROR_TYPE = "policy_refused"


class PolicyReason(models.TextChoices):
    """Why the policy refuses or allows a command, in order of precedence."""

    INACTIVE = "inactive", "Profile switched off"
    PAUSED = "paused", "Paused"
    BLOCKED_COMMAND = "blocked_command", "Blocked command"
    NOT_IN_ALLOWED_LIST = "not_in_allowed_list", "Not in the allowed list"
    OUTSIDE_ALLOWED_HOURS = "outside_allowed_hours", "Outside the allowed hours"
    DAILY_LIMIT_REACHED = "daily_limit_reached", "Daily limit reached"
    APPROVED_BY_PARENT = "approved_by_parent", "Approved by a parent"
    ALLOWED = "allowed", "Allowed"


# Why a recorded command was refused, in a parent's words about the member; each reads after a count too
# ("2 not in Alex's allowed list").
REFUSAL_WORDS = {
    PolicyReason.INACTIVE: "while {name}'s profile was switched off",
    PolicyReason.PAUSED: "while {name} was paused",
    PolicyReason.BLOCKED_COMMAND: "blocked for {name}",
    PolicyReason.NOT_IN_ALLOWED_LIST: "not in {name}'s allowed list",
    PolicyReason.OUTSIDE_ALLOWED_HOURS: "outside {name}'s allowed hours",
    PolicyReason.DAILY_LIMIT_REACHED: "after {name}'s time for the day was used up",
}


def refusal_words(metadata, name: str) -> str:
    """Why the command recorded with `metadata` was refused, in words ("not in Alex's allowed list"), or ""
    when the parental controls did not refuse it."""
    if not isinstance(metadata, dict) or metadata.get("error_type") != REFUSED_ERROR_TYPE:
        return ""
    policy = metadata.get("policy")
    return refusal_reason_words(policy.get("reason") if isinstance(policy, dict) else None, name)


def refusal_reason_words(reason: str | None, name: str) -> str:
    """A refusal's reason code in words about the member ("not in Alex's allowed list")."""
    return REFUSAL_WORDS.get(reason, "refused by the parental controls").format(name=name or "the member")


def refused_by_the_parental_controls() -> models.Q:
    """The commands the parental controls refused, exactly as the usage statistics count them."""
    return models.Q(status__in=CommandStatus.failures(), metadata__contains={"error_type": REFUSED_ERROR_TYPE})


def non_negative(field: str, table: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__gte": 0}),
        name=f"{table}_{field}_non_negative",
        violation_error_message=f"{field} cannot be negative.",
    )


# What is stored instead of the command and its transcription while privacy.log_commands is false
# (the trigger of migration 0009 writes it, whoever inserts).
COMMAND_NOT_LOGGED = "(not logged)"

# An open session counts until its last command plus this, then it is idle: the SQL function
# session_idle_end (migration 0010) holds the rule; this is its length in Python's words.
SESSION_IDLE = timedelta(minutes=15)


class SessionIdleEnd(models.Func):
    """session_idle_end(id, started_at, moment): when an open session stops counting (see SESSION_IDLE)."""

    function = "session_idle_end"
    output_field = models.DateTimeField()


class ActivityLog(models.Model):
    id = uuid_primary_key()
    # No index of its own on the member: activity_logs_dashboard_idx serves it.
    profile = member_reference(related_name="activity_logs", db_index=False, verbose_name="member")
    timestamp = models.DateTimeField(null=True, db_default=TransactionNow(), verbose_name="when")
    command_text = models.TextField(
        db_comment="What the family member said, as transcribed", verbose_name="what was said"
    )
    transcription_confidence = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True, verbose_name="heard right"
    )
    response_text = models.TextField(null=True, blank=True, verbose_name="what Tonny answered")
    response_audio_url = models.TextField(null=True, blank=True, verbose_name="the answer's sound file")
    status = EnumField(
        enum_type="command_status",
        choices=CommandStatus,
        default=CommandStatus.PENDING,
        db_default=CommandStatus.PENDING,
    )
    processing_time_ms = models.IntegerField(
        null=True, blank=True, db_comment="End-to-end time", verbose_name="answered in (milliseconds)"
    )
    whisper_time_ms = models.IntegerField(
        null=True, blank=True, verbose_name="understanding it (Whisper, milliseconds)"
    )
    n8n_time_ms = models.IntegerField(null=True, blank=True, verbose_name="doing it (n8n, milliseconds)")
    tts_time_ms = models.IntegerField(null=True, blank=True, verbose_name="saying it (ElevenLabs, milliseconds)")
    error_message = models.TextField(null=True, blank=True, verbose_name="what went wrong")
    metadata = models.JSONField(
        null=True,
        blank=True,
        default=dict,
        db_default={},
        db_comment='e.g. {"model": "base", "device": "default_mic"}',
        verbose_name="other details",
    )
    n8n_webhook_url = models.TextField(null=True, blank=True, verbose_name="address n8n was called at")
    parent_command_id = models.UUIDField(
        null=True, blank=True, db_comment="Earlier turn of the same conversation", verbose_name="earlier turn"
    )

    class Meta:
        db_table = "activity_logs"
        db_table_comment = "Audit trail of every voice command and its response"
        ordering = ["-timestamp"]
        verbose_name = "activity log"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(transcription_confidence__gte=0, transcription_confidence__lte=1),
                name="activity_logs_confidence_range",
                violation_error_message="Transcription confidence must be between 0 and 1.",
            ),
            non_negative("processing_time_ms", "activity_logs"),
            non_negative("whisper_time_ms", "activity_logs"),
            non_negative("n8n_time_ms", "activity_logs"),
            non_negative("tts_time_ms", "activity_logs"),
        ]
        indexes = [
            # Dashboard: a profile's commands by status and time, without visiting the table.
            models.Index(
                fields=[
                    "profile",
                    "status",
                    "-timestamp",
                ],
                name="activity_logs_dashboard_idx",
                include=["command_text", "response_text", "processing_time_ms"],
            ),
            # A profile's latest commands and rolling windows (24 h, 7 days, 30 days).
            models.Index(fields=["profile", "-timestamp"], name="activity_logs_profile_time_idx"),
            # Newest-first lists (admin, recent_activity) stop after one page.
            models.Index(fields=["-timestamp"], name="activity_logs_time_idx"),
            BrinIndex(fields=["timestamp"], name="activity_logs_time_brin", autosummarize=True),
            models.Index(fields=["-timestamp"], name="activity_logs_failed_idx", condition=models.Q(status="failed")),
            # The admin's status filter for the rare statuses; success is the bulk and failed has its own.
            models.Index(
                fields=["-timestamp"],
                name="activity_logs_unsettled_idx",
                condition=models.Q(status__in=["pending", "processing", "timeout"]),
            ),
            # The admin's full-text search over what was said.
            GinIndex(full_text("command_text"), name="activity_logs_command_fts"),
            GinIndex(fields=["metadata"], name="activity_logs_metadata_gin", opclasses=["jsonb_path_ops"]),
            # Hour and weekday at a fixed zone: EXTRACT from timestamptz alone is not immutable.
            models.Index(
                ExtractWeekDay("timestamp", tzinfo=ZoneInfo("UTC")),
                ExtractHour("timestamp", tzinfo=ZoneInfo("UTC")),
                name="activity_logs_dow_hour_utc_idx",
            ),
        ]

    def __str__(self):
        return self.command_text[:60]


class CommandHistory(models.Model):
    id = uuid_primary_key()
    timestamp = models.DateTimeField(null=True, db_default=TransactionNow(), verbose_name="when")
    # No index of its own on the member: cmd_history_profile_time_idx serves it.
    profile = member_reference(related_name="command_history", db_index=False, verbose_name="member")
    command = models.TextField(db_comment="Interpreted command", verbose_name="command")
    raw_transcription = models.TextField(db_comment="Exact Whisper output", verbose_name="exactly as heard")
    normalized_command = models.TextField(null=True, blank=True, verbose_name="command, tidied")
    command_category = models.CharField(max_length=100, null=True, blank=True, verbose_name="kind of command")
    n8n_workflow_id = models.CharField(max_length=255, null=True, blank=True, verbose_name="n8n workflow")
    n8n_webhook_url = models.TextField(null=True, blank=True, verbose_name="address n8n was called at")
    n8n_request_payload = models.JSONField(null=True, blank=True, verbose_name="what was sent to n8n")
    n8n_response_payload = models.JSONField(null=True, blank=True, verbose_name="what n8n answered")
    n8n_response_time_ms = models.IntegerField(null=True, blank=True, verbose_name="n8n took (milliseconds)")
    n8n_status_code = models.IntegerField(null=True, blank=True, verbose_name="n8n's answer (HTTP code)")
    elevenlabs_voice_id = models.CharField(max_length=255, null=True, blank=True, verbose_name="voice (ElevenLabs)")
    elevenlabs_request_id = models.CharField(
        max_length=255, null=True, blank=True, verbose_name="ElevenLabs request number"
    )
    audio_file_path = models.TextField(null=True, blank=True, verbose_name="sound file")
    audio_duration_seconds = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, verbose_name="length of the recording (seconds)"
    )
    typed_response = models.BooleanField(
        null=True, default=False, db_default=False, verbose_name="typed instead of spoken"
    )
    typing_target_app = models.CharField(max_length=255, null=True, blank=True, verbose_name="typed into")
    quick_action_id = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        db_comment="The quick action that triggered it (quick_actions.id)",
        verbose_name="quick action",
    )
    is_favorite = models.BooleanField(null=True, default=False, db_default=False, verbose_name="favourite")
    execution_metadata = models.JSONField(null=True, blank=True, default=dict, db_default={}, verbose_name="how it ran")

    class Meta:
        db_table = "command_history"
        db_table_comment = "Command execution details: n8n workflow, ElevenLabs voice, payloads"
        ordering = ["-timestamp"]
        verbose_name = "command history entry"
        verbose_name_plural = "command history"
        constraints = [
            non_negative("n8n_response_time_ms", "command_history"),
            non_negative("audio_duration_seconds", "command_history"),
            models.CheckConstraint(
                condition=models.Q(n8n_status_code__gte=100, n8n_status_code__lte=599),
                name="command_history_n8n_status_code_range",
                violation_error_message="An HTTP status code is between 100 and 599.",
            ),
        ]
        indexes = [
            models.Index(fields=["profile", "-timestamp"], name="cmd_history_profile_time_idx"),
            models.Index(fields=["-timestamp"], name="command_history_time_idx"),
            BrinIndex(fields=["timestamp"], name="command_history_time_brin", autosummarize=True),
            GinIndex(full_text("command"), name="command_history_command_fts"),
            GinIndex(full_text("raw_transcription"), name="cmd_history_transcript_fts"),
            GinIndex(fields=["execution_metadata"], name="cmd_history_exec_meta_gin", opclasses=["jsonb_path_ops"]),
            models.Index(fields=["quick_action_id", "timestamp"], name="cmd_history_quick_action_idx"),
            models.Index(
                fields=["profile", "-timestamp"], name="cmd_history_favorite_idx", condition=models.Q(is_favorite=True)
            ),
            models.Index(Length("command"), name="command_history_length_idx"),
        ]

    def __str__(self):
        return self.command[:60]


class Session(models.Model):
    id = uuid_primary_key()
    # No index of its own on the member: sessions_profile_started_idx serves it.
    profile = member_reference(related_name="sessions", db_index=False, verbose_name="member")
    started_at = models.DateTimeField(null=True, db_default=TransactionNow(), verbose_name="started")
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name="ended")
    duration_seconds = models.GeneratedField(
        expression=Cast(Floor(Extract(models.F("ended_at") - models.F("started_at"), "epoch")), models.IntegerField()),
        output_field=models.IntegerField(null=True),
        db_persist=True,
        db_comment="Whole seconds from started_at to ended_at; null while open",
        verbose_name="length (seconds)",
    )
    command_count = models.IntegerField(null=True, default=0, db_default=0, verbose_name="commands")
    error_count = models.IntegerField(null=True, default=0, db_default=0, verbose_name="errors")
    client_version = models.CharField(max_length=50, null=True, blank=True, verbose_name="tray version")
    client_platform = models.CharField(max_length=50, null=True, blank=True, verbose_name="computer")
    metadata = models.JSONField(null=True, blank=True, default=dict, db_default={}, verbose_name="details")

    class Meta:
        db_table = "sessions"
        db_table_comment = "Tray sessions: when a member used the assistant, on which client"
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gte=models.F("started_at")),
                name="sessions_ended_after_started",
                violation_error_message="A session cannot end before it starts.",
            ),
            non_negative("command_count", "sessions"),
            non_negative("error_count", "sessions"),
        ]
        indexes = [
            # ended_at included: the policy reads a day of sessions by index alone (policy_sessions_used).
            models.Index(fields=["profile", "-started_at"], include=["ended_at"], name="sessions_profile_started_idx"),
            # Newest-first lists (the admin) stop after one page.
            models.Index(fields=["-started_at"], name="sessions_started_idx"),
            models.Index(fields=["profile"], name="sessions_active_idx", condition=models.Q(ended_at__isnull=True)),
            # The policy decision's minutes used today: the rare closed sessions longer than a day.
            models.Index(
                fields=["profile", "ended_at"],
                name="sessions_long_idx",
                condition=models.Q(duration_seconds__gte=86400),
            ),
        ]

    def __str__(self):
        if self.started_at is None:
            return "Session"
        return f"Session of {date_format(localtime(self.started_at), 'SHORT_DATETIME_FORMAT')}"


class UsageStatistic(models.Model):
    id = uuid_primary_key()
    profile = models.ForeignKey(
        "profiles.UserProfile",
        on_delete=models.DB_CASCADE,
        related_name="usage_statistics",
        verbose_name="member",
        db_index=False,  # served by the (profile, date) unique constraint
    )
    date = models.DateField(db_comment="Local day in the family's time zone", verbose_name="day")
    command_count = models.IntegerField(null=True, default=0, db_default=0, verbose_name="commands")
    success_count = models.IntegerField(null=True, default=0, db_default=0, verbose_name="done")
    failure_count = models.IntegerField(null=True, default=0, db_default=0, verbose_name="failed")
    timeout_count = models.IntegerField(
        null=True,
        default=0,
        db_default=0,
        db_comment="Of failure_count, the commands that timed out",
        verbose_name="timed out",
    )
    total_duration_seconds = models.IntegerField(
        null=True, default=0, db_default=0, db_comment="Active usage time", verbose_name="time in use (seconds)"
    )
    total_processing_time_ms = models.BigIntegerField(
        null=True, default=0, db_default=0, verbose_name="Tonny's answering, in all (milliseconds)"
    )
    average_confidence = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True, verbose_name="heard right, on average"
    )
    unique_commands = models.IntegerField(null=True, default=0, db_default=0, verbose_name="different commands")
    peak_usage_hour = models.IntegerField(null=True, blank=True, verbose_name="busiest hour")
    device_breakdown = models.JSONField(
        null=True, blank=True, default=dict, db_default={}, verbose_name="commands by device"
    )
    command_categories = models.JSONField(
        null=True, blank=True, default=dict, db_default={}, verbose_name="commands by kind"
    )
    error_types = models.JSONField(null=True, blank=True, default=dict, db_default={}, verbose_name="errors by kind")
    hourly_counts = ArrayField(
        models.IntegerField(),
        size=24,
        null=True,
        blank=True,
        db_comment="Finished commands per local hour, 0-23",
        verbose_name="commands by hour",
    )
    timings = models.JSONField(
        null=True,
        blank=True,
        default=dict,
        db_default={},
        db_comment='{"processing"|"whisper"|"n8n"|"tts": {"count", "sum", "p50", "p95"}}, in ms',
        verbose_name="how long answers took",
    )
    timing_histograms = ArrayField(
        ArrayField(models.IntegerField(), size=20),
        size=4,
        null=True,
        blank=True,
        db_comment="[processing, whisper, n8n, tts][bucket]: commands per time bucket (edges in statistics_sql)",
        verbose_name="spread of answer times",
    )
    top_commands = models.JSONField(
        null=True,
        blank=True,
        default=dict,
        db_default={},
        db_comment="The 20 most said commands (lower case): count",
        verbose_name="top commands",
    )
    quick_action_counts = models.JSONField(
        null=True,
        blank=True,
        default=dict,
        db_default={},
        db_comment="quick_action_id: runs (command history)",
        verbose_name="quick actions used",
    )
    created_at = models.DateTimeField(null=True, db_default=TransactionNow(), editable=False, verbose_name="added")
    updated_at = models.DateTimeField(
        null=True, db_default=TransactionNow(), editable=False, verbose_name="last changed"
    )

    class Meta:
        db_table = "usage_statistics"
        db_table_comment = "Daily usage per profile, kept exact from activity_logs by the application"
        ordering = ["-date", "profile"]
        verbose_name = "daily usage"
        verbose_name_plural = "daily usage"
        constraints = [
            models.UniqueConstraint(fields=["profile", "date"], name="usage_statistics_profile_date_key"),
            non_negative("command_count", "usage_statistics"),
            non_negative("success_count", "usage_statistics"),
            non_negative("failure_count", "usage_statistics"),
            non_negative("timeout_count", "usage_statistics"),
            non_negative("unique_commands", "usage_statistics"),
            non_negative("total_duration_seconds", "usage_statistics"),
            non_negative("total_processing_time_ms", "usage_statistics"),
            models.CheckConstraint(
                condition=models.Q(average_confidence__gte=0, average_confidence__lte=1),
                name="usage_statistics_average_confidence_range",
                violation_error_message="The average confidence is between 0 and 1.",
            ),
            models.CheckConstraint(
                condition=models.Q(peak_usage_hour__gte=0, peak_usage_hour__lte=23),
                name="usage_statistics_peak_usage_hour_range",
                violation_error_message="The peak usage hour is between 0 and 23.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["date", "profile"],
                name="usage_statistics_dashboard_idx",
                include=["command_count", "success_count", "failure_count"],
            ),
        ]

    def __str__(self):
        # The member's name, not their id: this is the heading of the day's page.
        return f"{self.profile.name}, {date_format(self.date, 'DATE_FORMAT')}"


class RecentActivity(models.Model):
    """The `recent_activity` view: the last 24 hours, newest first (read-only)."""

    id = models.UUIDField(primary_key=True)
    timestamp = models.DateTimeField(null=True, verbose_name="when")
    user_name = models.CharField(max_length=100, null=True, verbose_name="member")
    command_text = models.TextField(verbose_name="what was said")
    response_text = models.TextField(null=True, verbose_name="what Tonny answered")
    status = EnumField(enum_type="command_status", choices=CommandStatus)
    processing_time_ms = models.IntegerField(null=True, verbose_name="answered in (milliseconds)")
    error_message = models.TextField(null=True, verbose_name="what went wrong")

    class Meta:
        managed = False
        db_table = "recent_activity"
        ordering = ["-timestamp"]
        verbose_name = "recent activity"
        verbose_name_plural = "recent activity (24 h)"

    def __str__(self):
        return self.command_text[:60]


class UserStatisticsSummary(models.Model):
    """The `user_statistics_summary` view: one row per profile (read-only)."""

    id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=100)
    permission_level = EnumField(enum_type="permission_level", verbose_name="role")
    active_days = models.BigIntegerField(verbose_name="days active")
    total_commands = models.BigIntegerField(verbose_name="commands")
    avg_processing_time_ms = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, verbose_name="answered in, on average (milliseconds)"
    )
    success_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, verbose_name="done right (%)")
    last_command_at = models.DateTimeField(null=True, verbose_name="last command")

    class Meta:
        managed = False
        db_table = "user_statistics_summary"
        ordering = ["name"]
        verbose_name = "member summary"
        verbose_name_plural = "member summaries"

    def __str__(self):
        return self.name
