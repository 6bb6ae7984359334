"""The audit trail, sessions, daily usage and the two statistics views in the admin.

Activity logs and command history are read-only for everyone (only family
admins may delete them); daily usage is derived data kept exact by
activity.services, so it is read-only too. Sessions are what the tray recorded:
nobody adds or edits one; a family admin ends or deletes them through
activity.services. Lists on the big tables sort by time only and filter by fixed
choices, each served by an index.
"""

import uuid

from django.contrib import admin, messages
from django.db.models import Case, Q, When
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html

from activity import services
from activity.models import (
    SESSION_IDLE,
    ActivityLog,
    CommandHistory,
    PolicyReason,
    RecentActivity,
    Session,
    SessionIdleEnd,
    UsageStatistic,
    UserStatisticsSummary,
    refusal_words,
    refused_by_the_parental_controls,
)
from activity.statistics_sql import USAGE_STATISTIC_BREAKDOWNS, USAGE_STATISTIC_COUNTS
from profiles.models import PermissionLevel, UserProfile
from tonnysite.clock import family_zone, local_today
from tonnysite.familyadmin.display import (
    labelled_block,
    metadata_display,
    metadata_pairs,
    percent_display,
    seconds_display,
    short_text_display,
    value_words,
    words_display,
)
from tonnysite.familyadmin.export import CsvExportMixin
from tonnysite.familyadmin.filters import ConditionChoicesFilter
from tonnysite.familyadmin.pagination import EstimatedCountPaginator
from tonnysite.familyadmin.scoping import (
    ActionsOnlyAdminMixin,
    FamilyModelAdmin,
    ProfileListFilter,
    ReadOnlyAdminMixin,
    viewer_of,
)
from tonnysite.familyadmin.search import FullTextSearchMixin


class AuditTrailAdmin(ReadOnlyAdminMixin, CsvExportMixin, FullTextSearchMixin, FamilyModelAdmin):
    """Shared by the two audit-trail tables: newest first, sorted by time only, never edited."""

    index_section = "Activity"

    list_select_related = ("profile",)
    list_filter = (ProfileListFilter, ("timestamp", admin.DateFieldListFilter))
    sortable_by = ("timestamp",)
    actions = ("export_csv",)


class RefusedFilter(ConditionChoicesFilter):
    """The commands the parental controls refused: exactly those a dashboard's "N refused" counts."""

    title = "refused by the parental controls"
    parameter_name = "refused"
    conditions = {
        "yes": ("Refused", refused_by_the_parental_controls()),
        "no": ("Not refused", ~refused_by_the_parental_controls()),
    }


@admin.register(ActivityLog)
class ActivityLogAdmin(AuditTrailAdmin):
    list_display = (
        "timestamp", "profile", "command", "status", "why_refused", "answered_in", "understanding", "doing",
        "speaking", "heard_right",
    )  # fmt: skip
    list_filter = ("status", RefusedFilter, *AuditTrailAdmin.list_filter)
    full_text_fields = ("command_text",)
    fieldsets = (
        (
            None,
            {"fields": ("timestamp", "profile", "status", "why_refused", "command_said", "heard_right")},
        ),
        ("Tonny's answer", {"fields": ("answer", "answer_audio", "error")}),
        ("How long Tonny took", {"fields": ("answered_in", "understanding", "doing", "speaking")}),
        ("Details", {"fields": ("device", "session", "decision", "other_details", "n8n_address", "parent_command")}),
    )
    readonly_fields = (
        "device", "session", "decision", "other_details", "parent_command", "why_refused", "command_said",
        "heard_right", "answer", "answer_audio", "error", "answered_in", "understanding", "doing", "speaking",
        "n8n_address",
    )  # fmt: skip
    export_fields = (
        "timestamp", "profile__name", "command_text", "status", "processing_time_ms", "whisper_time_ms",
        "n8n_time_ms", "tts_time_ms", "transcription_confidence", "response_text", "error_message",
    )  # fmt: skip

    command = short_text_display("command_text", description="command")
    command_said = words_display("command_text", description="what was said")
    answer = words_display("response_text", description="what Tonny answered")
    answer_audio = words_display("response_audio_url", description="the answer's sound file")
    error = words_display("error_message", description="what went wrong")
    n8n_address = words_display("n8n_webhook_url", description="address n8n was called at")

    @admin.display(description="other details")
    def other_details(self, obj):
        metadata = _metadata(obj)
        said = ("device", "session_id", "policy", *(("error_type",) if refusal_words(metadata, "") else ()))
        labels = {"model": "Speech model (Whisper)", "error_type": "Kind of error"}
        return labelled_block(metadata_pairs(metadata, labels=labels, leave_out=said))

    answered_in = seconds_display("processing_time_ms", description="answered in")
    understanding = seconds_display("whisper_time_ms", description="understanding it (Whisper)")
    doing = seconds_display("n8n_time_ms", description="doing it (n8n)")
    speaking = seconds_display("tts_time_ms", description="saying it (ElevenLabs)")

    heard_right = percent_display("transcription_confidence", description="heard right")  # Whisper's certainty

    @admin.display(description="why refused")
    def why_refused(self, obj):
        return refusal_words(obj.metadata, obj.profile.name if obj.profile else "") or "-"

    @admin.display(description="device")
    def device(self, obj):
        return value_words("device", _metadata(obj).get("device"))

    @admin.display(description="session")
    def session(self, obj):
        session_id = _metadata(obj).get("session_id")
        if not session_id:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:activity_session_change", args=[session_id]), session_id
        )

    @admin.display(description="parental controls' decision")
    def decision(self, obj):
        """The policy's decision in words ("Not in the allowed list: not in Alex's allowed list"), and its rule."""
        policy = _metadata(obj).get("policy")
        if not isinstance(policy, dict) or not policy.get("reason"):
            return "-"
        reason = policy["reason"]
        words = PolicyReason(reason).label if reason in PolicyReason.values else value_words("reason", reason)
        refused = refusal_words(obj.metadata, obj.profile.name if obj.profile else "")
        rule = f" (rule: {value_words('rule', policy['rule'])})" if policy.get("rule") else ""
        return f"{words}: {refused}{rule}" if refused else f"{words}{rule}"

    @admin.display(description="earlier turn")
    def parent_command(self, obj):
        if obj.parent_command_id is None:
            return "-"
        url = reverse("admin:activity_activitylog_change", args=[obj.parent_command_id])
        return format_html('<a href="{}">{}</a>', url, obj.parent_command_id)


@admin.register(CommandHistory)
class CommandHistoryAdmin(AuditTrailAdmin):
    list_display = (
        "timestamp", "profile", "command_short", "category", "n8n_answer_code", "doing", "quick_action", "favourite",
    )  # fmt: skip
    list_filter = ("is_favorite", *AuditTrailAdmin.list_filter)
    full_text_fields = ("command", "raw_transcription")
    # What a parent reads first; the workflow's and the voice service's own records stay under a closed "Details".
    fieldsets = (
        (None, {"fields": ("timestamp", "profile", "command", "raw_transcription", "normalized_command")}),
        (
            "Context",
            {"fields": ("command_category", "quick_action_id", "is_favorite", "typed_response", "typing_target_app")},
        ),
        ("How long it took", {"fields": ("doing", "audio_duration_seconds")}),
        (
            "Details",
            {
                "classes": ["collapse"],
                "fields": (
                    "n8n_workflow_id", "n8n_webhook_url", "n8n_answer_code", "request_payload", "response_payload",
                    "elevenlabs_voice_id", "elevenlabs_request_id", "audio_file_path", "execution_metadata_pretty",
                ),
            },
        ),
    )  # fmt: skip
    readonly_fields = ("doing", "n8n_answer_code", "request_payload", "response_payload", "execution_metadata_pretty")
    export_fields = (
        "timestamp", "profile__name", "command", "raw_transcription", "command_category", "n8n_workflow_id",
        "n8n_status_code", "n8n_response_time_ms", "quick_action_id", "is_favorite",
    )  # fmt: skip

    command_short = short_text_display("command", description="command")
    category = words_display("command_category", description="category")
    n8n_answer_code = words_display("n8n_status_code", description="n8n's answer (HTTP code)")
    doing = seconds_display("n8n_response_time_ms", description="doing it (n8n)")
    quick_action = words_display("quick_action_id", description="quick action")
    favourite = words_display("is_favorite", description="favourite", boolean=True)
    request_payload = metadata_display("n8n_request_payload", description="what was sent to n8n")
    response_payload = metadata_display("n8n_response_payload", description="what n8n answered")
    execution_metadata_pretty = metadata_display("execution_metadata", description="how it ran")


class SessionStateFilter(ConditionChoicesFilter):
    title = "state"
    parameter_name = "state"
    conditions = {
        "open": ("Open", Q(ended_at__isnull=True, idle_end__gte=Now())),
        "idle": (
            f"Open but idle (no command for {int(SESSION_IDLE.total_seconds() // 60)} minutes)",
            Q(ended_at__isnull=True, idle_end__lt=Now()),
        ),
        "ended": ("Ended", Q(ended_at__isnull=False)),
    }


@admin.register(Session)
class SessionAdmin(ActionsOnlyAdminMixin, FamilyModelAdmin):
    """What the tray recorded: nobody adds or edits a session by hand (its counters are derived,
    its times are the member's minutes). A family admin may end open sessions or delete sessions,
    both through activity.services."""

    index_section = "Activity"

    list_display = (
        "started_at", "profile", "state", "minutes", "commands", "errors", "tray_version", "computer",
    )  # fmt: skip
    list_select_related = ("profile",)
    list_filter = (SessionStateFilter, ProfileListFilter, ("started_at", admin.DateFieldListFilter))
    sortable_by = ("started_at",)
    actions = ("end_selected",)
    fields = (
        "profile", "started_at", "ended_at", "minutes", "commands", "errors", "tray_version", "computer", "details",
    )  # fmt: skip
    readonly_fields = fields

    commands = words_display("command_count", description="commands")
    errors = words_display("error_count", description="errors")
    tray_version = words_display("client_version", description="tray version")
    computer = words_display("client_platform", description="computer")

    @admin.display(description="minutes", ordering="duration_seconds")
    def minutes(self, session):
        return "-" if session.duration_seconds is None else f"{session.duration_seconds / 60:.0f}"

    @admin.action(
        description="End selected sessions",
        permissions=["change"],
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def end_selected(self, request, queryset):
        ended = services.sessions_end(sessions=queryset, ended_by=viewer_of(request).profile)
        self.message_user(request, f"{ended} session(s) ended.", messages.SUCCESS)

    def delete_model(self, request, obj):
        services.sessions_delete(sessions=Session.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.sessions_delete(sessions=queryset)

    details = metadata_display("metadata", description="details", labels={"device": "Device"})

    def get_queryset(self, request):
        # When an open session went (or goes) idle: only open sessions need the function.
        idle_end = Case(When(ended_at__isnull=True, then=SessionIdleEnd("id", "started_at", Now())))
        return super().get_queryset(request).annotate(idle_end=idle_end)

    @admin.display(description="state")
    def state(self, session):
        """Ended at, open, or open but idle (a tray that crashed or lost its network): idle time counts nowhere."""
        if session.ended_at is not None:
            return f"ended {_clock(session.ended_at)}"
        idle_end = getattr(session, "idle_end", None)
        if idle_end is not None and idle_end < timezone.now():
            return f"idle since {_clock(idle_end)}, not counted"
        return "open"


def _metadata(obj) -> dict:
    return obj.metadata if isinstance(obj.metadata, dict) else {}


def _clock(moment) -> str:
    """14:05 today, else Tue 1 Dec, 14:05 (the site's short format), in the family's zone."""
    local = moment.astimezone(family_zone())
    return date_format(local, "TIME_FORMAT" if local.date() == local_today() else "SHORT_DATETIME_FORMAT")


@admin.register(UsageStatistic)
class UsageStatisticAdmin(ReadOnlyAdminMixin, CsvExportMixin, FamilyModelAdmin):
    index_section = "Activity"
    list_display = (
        "date", "profile", "commands", "done", "failed", "timed_out", "minutes_used", "answer_time", "heard_right",
        "different_commands", "busiest_hour",
    )  # fmt: skip
    list_select_related = ("profile",)
    list_filter = (ProfileListFilter, ("date", admin.DateFieldListFilter))
    actions = ("export_csv",)
    fieldsets = (
        (None, {"fields": ("date", "profile")}),
        ("Commands", {"fields": ("commands", "done", "failed", "timed_out", "different_commands")}),
        ("Time", {"fields": ("minutes_used", "answer_time", "heard_right", "busiest_hour")}),
        ("By device, category and error", {"fields": ("devices", "categories", "errors")}),
        (None, {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "commands", "done", "failed", "timed_out", "different_commands", "minutes_used", "answer_time", "heard_right",
        "busiest_hour", "devices", "categories", "errors", "created_at", "updated_at",
    )  # fmt: skip
    export_fields = ("date", "profile__name", *USAGE_STATISTIC_COUNTS, *USAGE_STATISTIC_BREAKDOWNS)
    answer_time = seconds_display("total_processing_time_ms", description="Tonny's answering, in all")
    commands = words_display("command_count", description="commands")
    done = words_display("success_count", description="done")
    failed = words_display("failure_count", description="failed")
    timed_out = words_display("timeout_count", description="timed out")
    different_commands = words_display("unique_commands", description="different commands")

    @admin.display(description="minutes used")
    def minutes_used(self, obj):
        return "-" if obj.total_duration_seconds is None else f"{obj.total_duration_seconds / 60:.0f}"

    heard_right = percent_display("average_confidence", description="heard right")

    @admin.display(description="busiest hour")
    def busiest_hour(self, obj):
        return "-" if obj.peak_usage_hour is None else f"{obj.peak_usage_hour:02d}:00"

    devices = metadata_display("device_breakdown", description="commands by device")
    categories = metadata_display("command_categories", description="commands by category")
    errors = metadata_display("error_types", description="errors by kind")


class StatisticsViewAdmin(ReadOnlyAdminMixin, FamilyModelAdmin):
    """A reporting view: read-only for everyone, and nothing to delete."""

    index_section = "Activity"

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecentActivity)
class RecentActivityAdmin(FullTextSearchMixin, StatisticsViewAdmin):
    list_display = ("timestamp", "member", "command", "status", "answered_in", "error")
    list_filter = ("status",)
    sortable_by = ("timestamp",)
    full_text_fields = ("command_text",)
    fields = ("timestamp", "member", "command_text", "status", "response_text", "answered_in", "error_message")
    readonly_fields = ("member", "answered_in")

    def rows_of_member(self, viewer, queryset):
        # The view carries the profile's name, not its id; names are unique.
        return queryset.filter(user_name=viewer.profile.name)

    command = short_text_display("command_text", description="command")
    member = words_display("user_name", description="member")
    answered_in = seconds_display("processing_time_ms", description="answered in")
    error = short_text_display("error_message", description="what went wrong")


class RoleFilter(admin.SimpleListFilter):
    """The four roles as fixed choices (the view's column has none, and DISTINCT would scan)."""

    title = "role"
    parameter_name = "permission_level"

    def lookups(self, request, model_admin):
        return PermissionLevel.choices

    def queryset(self, request, queryset):
        return queryset.filter(permission_level=self.value()) if self.value() else queryset


class MemberSummaryPaginator(EstimatedCountPaginator):
    """Pages of the per-member summary view that read only their own members' days.

    The view (one row per member, their daily usage summed) is grouped by the member: asked for
    a page as it is, PostgreSQL sums every member's days, then sorts and cuts 50 (the 4,445
    members of a household server: every day of the year). When the list is filtered and sorted
    only by the member's own columns (name, role), the page's members are read from the member
    table, counted there, and the view is asked for those ids alone, which PostgreSQL pushes into
    the grouping. Sorted by a sum (commands, days active), the view is read whole, as before.
    """

    own_columns = {"id", "name", "permission_level"}  # the view's columns that are the member table's own

    def _members(self):
        """The member-table queryset with the list's filters and order, or None when the list uses a sum."""
        query = self.object_list.query
        conditions = {}
        for child in query.where.children:
            column = getattr(getattr(child, "lhs", None), "target", None)
            if (
                query.where.connector != "AND"
                or query.where.negated
                or getattr(child, "lookup_name", None) != "exact"
                or column is None
                or column.column not in self.own_columns
                or not isinstance(child.rhs, (str, uuid.UUID))
            ):
                return None
            conditions[column.column] = child.rhs
        order = [name.replace("pk", "id") for name in (query.order_by or self.object_list.model._meta.ordering)]
        if not all(isinstance(name, str) and name.lstrip("-") in self.own_columns for name in order):
            return None
        return UserProfile.objects.filter(**conditions).order_by(*order)

    @cached_property
    def count(self) -> int:
        members = self._members()
        return super().count if members is None else members.count()

    def page(self, number):
        members = self._members()
        if members is None:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(members.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        rows = self.object_list.filter(id__in=ids)
        # The page's members' days through the (member, day) index, whatever the statistics of a table
        # just filled say (stale, they make the planner read every member's days to keep 50).
        read = self._with_settings(rows.db, self.by_member_index, None, lambda: list(rows))
        return self._get_page(read, number, self)

    by_member_index = {"enable_seqscan": "off", "enable_hashjoin": "off"}


@admin.register(UserStatisticsSummary)
class UserStatisticsSummaryAdmin(StatisticsViewAdmin):
    owner_field = "pk"
    paginator = MemberSummaryPaginator
    list_display = ("name", "role", "days_active", "commands", "answered_in", "done_right", "last_command")
    list_filter = (RoleFilter,)
    fields = ("name", "role", "days_active", "commands", "answered_in", "done_right", "last_command")
    readonly_fields = fields

    role = words_display("permission_level", description="role")
    days_active = words_display("active_days", description="days active")
    commands = words_display("total_commands", description="commands")
    answered_in = seconds_display("avg_processing_time_ms", description="answered in, on average")
    last_command = words_display("last_command_at", description="last command")

    @admin.display(description="done right", ordering="success_rate")
    def done_right(self, summary):
        return "-" if summary.success_rate is None else f"{summary.success_rate:.0f} %"
