"""System events, settings and notifications in the admin; writes go through telemetry.services.

System events are part of the audit trail: read-only, except "mark resolved".
Notifications are the system's outbox: read-only, except "send again" and deleting.
Sensitive settings never show their value: not in the list, the form, the admin
log or an export; they can only be replaced.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from history.admin import ChangeHistoryMixin
from telemetry import services
from telemetry.models import EventSeverity, Notification, Setting, SystemEvent
from telemetry.setting_fields import HIDDEN, SettingJsonField, schema_words, setting_value_field, setting_value_words
from tonnysite.familyadmin.display import metadata_display, text_cut, words_display
from tonnysite.familyadmin.export import CsvExportMixin
from tonnysite.familyadmin.filters import ConditionChoicesFilter
from tonnysite.familyadmin.scoping import ActionsOnlyAdminMixin, FamilyModelAdmin, ProfileListFilter, viewer_of
from tonnysite.markers import KEEP


class ResolutionFilter(ConditionChoicesFilter):
    title = "resolution"
    parameter_name = "resolution"
    conditions = {
        "attention": (
            "Open errors and critical",
            Q(resolved_at__isnull=True, severity__in=[EventSeverity.ERROR, EventSeverity.CRITICAL]),
        ),
        "open": ("Open", Q(resolved_at__isnull=True)),
        "resolved": ("Resolved", Q(resolved_at__isnull=False)),
    }


class WhatHappenedFilter(ConditionChoicesFilter):
    """The kinds of event a parent looks for, by the event types that record them."""

    title = "what happened"
    parameter_name = "happened"
    conditions = {
        "failed_sign_in": ("Failed sign-ins", Q(event_type="auth.login_failed")),
        "lockout": ("Sign-ins locked out", Q(event_type="auth.locked_out")),
        "refused": ("Commands refused by the parental controls", Q(event_type="command_blocked")),
        "not_sent": ("Notifications not delivered", Q(event_type="notification.failed")),
        "backup": ("Backups and restores", Q(event_type__in=["ops.backup", "ops.restore"])),
        "job_failed": ("Background jobs that failed", Q(event_type="ops.job_failed")),
        "maintenance": ("Other upkeep (purge, health, maintenance)", Q(event_type__startswith="ops.")
                        & ~Q(event_type__in=["ops.backup", "ops.restore", "ops.job_failed"])),
    }  # fmt: skip


@admin.register(SystemEvent)
class SystemEventAdmin(ChangeHistoryMixin, ActionsOnlyAdminMixin, FamilyModelAdmin):
    list_display = (
        "timestamp", "severity", "what_happened", "part", "short_message", "profile", "resolved", "resolved_by",
    )  # fmt: skip
    list_select_related = ("profile", "resolved_by")
    list_filter = (
        "severity", WhatHappenedFilter, ResolutionFilter, ProfileListFilter, ("timestamp", admin.DateFieldListFilter),
    )  # fmt: skip
    sortable_by = ("timestamp",)
    actions = ("mark_resolved",)
    fieldsets = (
        (None, {"fields": ("timestamp", "severity", "event_type", "component", "message", "profile", "session_id")}),
        ("Details", {"fields": ("metadata_pretty", "stack_trace_block")}),
        ("Resolution", {"fields": ("resolved_at", "resolved_by")}),
    )
    readonly_fields = ("metadata_pretty", "stack_trace_block")

    @admin.action(
        description="Mark selected events resolved",
        permissions=["change"],
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def mark_resolved(self, request, queryset):
        resolved = services.system_events_resolve(events=queryset, resolved_by=viewer_of(request).profile)
        self.message_user(request, f"{len(resolved)} event(s) marked resolved.", messages.SUCCESS)

    what_happened = words_display("event_type", description="what happened")
    part = words_display("component", description="part of the system")
    resolved = words_display("resolved_at", description="resolved")

    @admin.display(description="message")
    def short_message(self, obj):
        return text_cut(obj.message, 80)

    metadata_pretty = metadata_display(
        "metadata",
        description="details",
        labels={
            "username": "Login name tried",
            "ip_address": "From address",
            "path": "File",
            "size_bytes": "Size",
            "device": "Device",
            "model": "Speech model (Whisper)",
        },
    )

    @admin.display(description="stack trace")
    def stack_trace_block(self, obj):
        return format_html("<pre>{}</pre>", obj.stack_trace) if obj.stack_trace else "-"


class SettingForm(forms.ModelForm):
    """The value goes into a field of its own, typed from the setting's schema (telemetry.setting_fields), so
    it is only ever replaced, never shown when sensitive, and the admin log names the field, not the value."""

    new_value = SettingJsonField(
        label="Value",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80, "class": "vLargeTextField"}),
        help_text='Typed as JSON, as a new setting has no schema yet: text in double quotes ("abc"), a number, '
        "true or false, a list or an object.",
    )

    class Meta:
        model = Setting
        fields = (
            "key",
            "category",
            "description",
            "is_sensitive",
            "is_user_editable",
            "default_value",
            "validation_schema",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            if "new_value" in self.fields:
                self.fields["new_value"], self.initial["new_value"] = setting_value_field(self.instance)
        elif self.is_bound and self.data.get("is_sensitive") in ("on", "true", "True", "1"):
            # A new sensitive setting: its value and default are typed blind, never echoed on errors.
            for name, attrs in (("new_value", {"autocomplete": "off", "size": 60}), ("default_value", {})):
                if name in self.fields:
                    self.fields[name].widget = forms.PasswordInput(render_value=False, attrs=attrs)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        stored = None if self.instance._state.adding else Setting.objects.filter(pk=self.instance.pk).first()
        try:
            services.setting_check(setting=self.instance, value=self.cleaned_data.get("new_value", KEEP), stored=stored)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                field = "new_value" if field == "value" else field
                self.add_error(field if field in self.fields else None, problems)


class SettingEditableFilter(ConditionChoicesFilter):
    title = "editable"
    parameter_name = "editable"
    # Not a "has a value" question: the column is a nullable boolean, and null means editable (the default).
    conditions = {"yes": ("Editable", ~Q(is_user_editable=False)), "no": ("Read-only", Q(is_user_editable=False))}


@admin.register(Setting)
class SettingAdmin(ChangeHistoryMixin, CsvExportMixin, FamilyModelAdmin):
    index_section = "Settings"
    owner_field = None
    form = SettingForm
    list_display = ("key", "category", "value_shown", "secret", "members_may_change", "updated_at", "updated_by")
    list_select_related = ("updated_by",)
    list_filter = ("is_sensitive", SettingEditableFilter)
    search_fields = ("key", "category", "description")
    actions = ("reset_to_default", "export_csv")
    export_fields = ("key", "category", "value", "is_sensitive", "is_user_editable", "default_value", "updated_at")

    secret = words_display("is_sensitive", description="secret", boolean=True)
    members_may_change = words_display("is_user_editable", description="members may change it", boolean=True)

    def rows_of_member(self, viewer, queryset):
        # Members never see sensitive settings at all, not even masked.
        return queryset.exclude(is_sensitive=True)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_user_editable is False:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fields = [
                "key",
                "category",
                "description",
                "new_value",
                "is_sensitive",
                "is_user_editable",
                "default_value",
                "validation_schema",
            ]
            return [(None, {"fields": fields})]
        editing = self.has_change_permission(request, obj)
        value_fields = ["current_value", "new_value"] if editing else ["current_value", "allowed_values"]
        # The technical side (JSON default, JSON Schema) stays folded away: a parent need not meet JSON.
        details = ["category", "default_value", "validation_schema"]
        if obj.is_sensitive or not editing:
            details.remove("default_value")
        return [
            (None, {"fields": ["key", "description"]}),
            ("Value", {"fields": [*value_fields, "default_shown"]}),
            ("Access", {"fields": ["is_sensitive", "is_user_editable", "updated_at", "updated_by"]}),
            ("Details", {"classes": ["collapse"], "fields": details}),
        ]

    def get_readonly_fields(self, request, obj=None):
        shown = ["current_value", "allowed_values", "default_shown", "updated_at", "updated_by"]
        if obj is None:
            return shown
        if not viewer_of(request).sees_every_profile:
            # Members change the value only; what a setting is stays the parents' call.
            return [
                *shown,
                "key",
                "category",
                "description",
                "default_value",
                "validation_schema",
                "is_sensitive",
                "is_user_editable",
            ]
        # A sensitive setting stays sensitive and keeps its schema (a new schema checked against
        # the hidden value would confirm guesses about it); the key is the primary key.
        return [*shown, "key", "is_sensitive", "validation_schema"] if obj.is_sensitive else [*shown, "key"]

    @method_decorator(sensitive_post_parameters("new_value", "default_value"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        services.setting_update(
            setting=obj,
            value=form.cleaned_data.get("new_value", KEEP),
            updated_by=viewer_of(request).profile,
        )

    def export_rows(self, request, queryset):
        for key, category, value, sensitive, editable, default, updated_at in super().export_rows(request, queryset):
            if sensitive:
                value, default = "(hidden)", ("(hidden)" if default is not None else None)
            yield key, category, value, sensitive, editable, default, updated_at

    @admin.display(description="value")
    def value_shown(self, obj):
        return HIDDEN if obj.is_sensitive else text_cut(setting_value_words(obj.value), 60)

    @admin.display(description="current value")
    def current_value(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return HIDDEN if obj.is_sensitive else setting_value_words(obj.value)

    @admin.display(description="allowed values")
    def allowed_values(self, obj):
        return schema_words(obj.validation_schema) or "-"

    @admin.display(description="default value")
    def default_shown(self, obj):
        if obj is None or obj.default_value is None:
            return "-"
        return HIDDEN if obj.is_sensitive else setting_value_words(obj.default_value)

    @admin.action(description="Reset selected settings to their defaults", permissions=["change"])
    def reset_to_default(self, request, queryset):
        reset, refused = [], []
        for setting in queryset:
            if setting.is_user_editable is False:
                refused.append(f"{setting.key} is read-only")
                continue
            try:
                services.setting_reset_to_default(setting=setting, updated_by=viewer_of(request).profile)
            except ValidationError as error:
                refused.append(f"{setting.key}: {' '.join(error.messages)}")
            else:
                reset.append(setting)
        if reset:
            self.message_user(request, f"{len(reset)} setting(s) reset to default.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not reset: " + "; ".join(refused) + ".", messages.WARNING)


class DeliveryFilter(ConditionChoicesFilter):
    title = "delivery"
    parameter_name = "delivery"
    conditions = {"pending": ("Waiting", Q(sent_at__isnull=True)), "sent": ("Sent", Q(sent_at__isnull=False))}


@admin.register(Notification)
class NotificationAdmin(ActionsOnlyAdminMixin, FamilyModelAdmin):
    """The system's outbox (requests to a parent, answers, pushes to the parents' phones): nobody adds
    or edits a notification by hand. A family admin sends waiting or given-up ones again, or takes
    them out of the queue, through telemetry.services."""

    list_display = (
        "created_at", "profile", "kind", "title", "priority", "scheduled_for", "sent", "tries",
    )  # fmt: skip
    list_select_related = ("profile",)
    list_filter = (DeliveryFilter, ProfileListFilter, ("scheduled_for", admin.DateFieldListFilter))
    sortable_by = ("created_at", "scheduled_for", "priority")
    search_fields = ("title", "notification_type")
    actions = ("retry_selected",)
    fields = (
        "profile", "scheduled_for", "sent", "kind", "title", "message", "priority", "metadata", "tries",
        "tries_at_most", "created_at",
    )  # fmt: skip
    readonly_fields = fields

    kind = words_display("notification_type", description="kind")
    sent = words_display("sent_at", description="sent")
    tries = words_display("retry_count", description="tries")
    tries_at_most = words_display("max_retries", description="tries at most")

    @admin.action(
        description="Send selected notifications again (waiting or given up)",
        permissions=["change"],
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def retry_selected(self, request, queryset):
        retried = services.notifications_retry(notifications=queryset)
        self.message_user(request, f"{retried} notification(s) will be sent again from now.", messages.SUCCESS)
        if skipped := queryset.filter(sent_at__isnull=False).count():
            self.message_user(request, f"{skipped} notification(s) were sent already.", messages.WARNING)

    def delete_model(self, request, obj):
        services.notifications_delete(notifications=Notification.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.notifications_delete(notifications=queryset)
