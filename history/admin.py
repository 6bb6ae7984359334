"""The change history in the admin: one read-only list, and each tracked row's History button leads to its part."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from history.display import change_lines
from history.models import Change, TrackedTable
from tonnysite.familyadmin.scoping import FamilyModelAdmin, ProfileListFilter, ReadOnlyAdminMixin, viewer_of


class ChangeHistoryMixin:
    """For the admin of a tracked table: its History button shows the change history.

    The database records each change (history/migrations/0002), so the admin adds no
    LogEntry of its own: one change, one record, whoever made it.
    """

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))  # scoped: another member's row is a 404
        query = urlencode({"table_name": self.model._meta.db_table, "row_id": str(obj.pk)})
        return redirect(f"{reverse('admin:history_change_changelist', current_app=self.admin_site.name)}?{query}")

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletions(self, request, queryset):
        return None


class MemberFilter(ProfileListFilter):
    field_path = "profile"  # the column is profile_id: a member's id, kept when the member is gone


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdminMixin, FamilyModelAdmin):
    index_section = "Change history"
    list_display = ("when", "member_name", "what", "action", "details", "by")
    list_filter = (MemberFilter, "table_name", "action", "via", ("changed_at", admin.DateFieldListFilter))
    sortable_by = ()
    list_display_links = None
    search_fields = ("row_label", "actor")

    def has_delete_permission(self, request, obj=None):
        return False  # old entries go by retention, never by hand

    def rows_visible_to(self, request, queryset):
        """A family admin sees every change; a member the changes of the rows they may see now."""
        if viewer_of(request).sees_every_profile:
            return queryset
        visible = Q(pk__in=[])
        for model, model_admin in self.admin_site._registry.items():
            table = model._meta.db_table
            if table in TrackedTable.values and model_admin.has_view_permission(request):
                rows = model_admin.get_queryset(request).values_list(Cast("pk", CharField()))
                visible |= Q(table_name=table, row_id__in=rows)
        return queryset.filter(visible)

    def changelist_view(self, request, extra_context=None):
        zone = timezone.get_current_timezone_name()
        extra_context = {"title": f"Change history (times in {zone})", **(extra_context or {})}
        row_id, table = request.GET.get("row_id"), request.GET.get("table_name")
        if row_id and table in TrackedTable.values:
            label = (
                self.get_queryset(request)
                .filter(table_name=table, row_id=row_id)
                .values_list("row_label", flat=True)
                .first()
            )
            extra_context["title"] = (
                f"Changes to {TrackedTable(table).label.lower()} “{label or row_id}” (times in {zone})"
            )
        return super().changelist_view(request, extra_context)

    @admin.display(description="when", ordering="-changed_at")
    def when(self, obj):
        return date_format(timezone.localtime(obj.changed_at), "DATETIME_FORMAT")

    @admin.display(description="what")
    def what(self, obj):
        return f"{obj.get_table_name_display()} “{obj.row_label or obj.row_id}”"

    @admin.display(description="details")
    def details(self, obj):
        lines = change_lines(table_name=obj.table_name, changes=obj.changes)
        if obj.action == "update":
            return format_html_join("", "<div><b>{}</b>: {} → {}</div>", lines)
        return format_html_join(
            "", "<div><b>{}</b>: {}</div>", ((what, before or after) for what, before, after in lines)
        )

    @admin.display(description="by")
    def by(self, obj):
        return format_html("{} <small>via {}</small>", obj.actor, obj.get_via_display())


User = get_user_model()
_user_admin = type(admin.site._registry[User])  # auth's UserAdmin with the family site's scoping

# What a login may do follows its member's role and active flag, kept so by the profile's own
# services (family_login_sync); set here, it would be undone at the profile's next save.
ROLE_FIELDS_HELP = {
    "is_active": "Follows the member's “Is active”: untick it on their profile to stop this login signing in.",
    "is_staff": "Follows the member's role: admin, user and kid may use this admin, a guest may not.",
    "is_superuser": "Follows the member's role: only a family admin's login may keep it.",
    "groups": "The group of the member's role: change the role on their profile.",
    "user_permissions": "None of its own: the group of the member's role holds them.",
}


class LoginAccountAdmin(ChangeHistoryMixin, _user_admin):
    """Auth's user admin, whose History button leads to the change history; the fields that
    follow the member's role are shown, never set here."""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if obj is None else [*readonly, *ROLE_FIELDS_HELP]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            kwargs["help_texts"] = {**ROLE_FIELDS_HELP, **kwargs.get("help_texts", {})}
        return super().get_form(request, obj, **kwargs)


admin.site.unregister(User)
admin.site.register(User, LoginAccountAdmin)


_group_admin = type(admin.site._registry[Group])


class RoleGroupAdmin(_group_admin):
    """The four role groups are kept by the code (profiles.roles, synced after every migrate): they are
    shown, never added, edited or deleted here, where a change would be undone at the next migrate."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
