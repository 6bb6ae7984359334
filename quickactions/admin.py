"""Quick actions in the admin: the list, the form, bulk edits, copies, import and export; writes go through
quickactions.services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.fields.json import KT
from django.urls import path
from django.utils.html import format_html, format_html_join

from history.admin import ChangeHistoryMixin
from profiles import roles
from profiles.models import PermissionLevel
from quickactions import services
from quickactions.forms import QuickActionActionForm, QuickActionForm, permission_field
from quickactions.models import QuickAction
from quickactions.pages import bulk_edit_page, export_response, import_page
from quickactions.selectors import quick_action_categories, quick_actions_with_recent_uses
from tonnysite.familyadmin.display import json_pretty
from tonnysite.familyadmin.scoping import FamilyModelAdmin, viewer_of
from tonnysite.markers import KEEP
from tonnysite.safe_input import text_problem


class CategoryListFilter(admin.SimpleListFilter):
    """Filter by `metadata.category`, offering the categories in use (one query)."""

    title = "category"
    parameter_name = "category"
    NONE = "-"

    def lookups(self, request, model_admin):
        return [*((category, category) for category in quick_action_categories()), (self.NONE, "(no category)")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if len(value) > services.QUICK_ACTION_CATEGORY_MAX or text_problem(value):
            raise IncorrectLookupParameters("A category is at most 100 characters, without NUL.")
        category = KT("metadata__category")
        if value == self.NONE:
            return queryset.alias(category=category).filter(Q(category__isnull=True) | Q(category=""))
        return queryset.alias(category=category).filter(category=value)


@admin.register(QuickAction)
class QuickActionAdmin(ChangeHistoryMixin, FamilyModelAdmin):
    index_section = "Quick actions"
    owner_field = None
    form = QuickActionForm
    action_form = QuickActionActionForm
    change_list_template = "admin/quickactions/quickaction/change_list.html"
    list_display = (
        "icon", "display_name", "id", "category", "required_permission", "is_enabled", "command_count",
        "recent_uses",
    )  # fmt: skip
    list_display_links = ("id",)
    list_editable = ("display_name", "icon", "is_enabled", "required_permission")
    list_filter = (CategoryListFilter, "required_permission", "is_enabled")
    search_fields = ("id", "display_name")
    actions = (
        "enable_selected", "disable_selected", "set_permission_selected", "set_category_selected",
        "duplicate_selected", "bulk_edit_selected", "delete_selected",
    )  # fmt: skip
    readonly_fields = ("other_metadata", "created_at", "updated_at")
    _form_fields = (
        "id", "display_name", "icon", "category", "command_sequence", "description", "is_enabled",
        "required_permission",
    )  # fmt: skip
    _member_fields = (
        "id", "display_name", "icon", "category_name", "commands", "description", "is_enabled",
        "required_permission",
    )  # fmt: skip

    def get_queryset(self, request):
        return quick_actions_with_recent_uses(super().get_queryset(request))

    def rows_of_member(self, viewer, queryset):
        # Quick actions up to the member's level: their own level and the ones below.
        return queryset.filter(required_permission__in=roles.quick_action_levels_for(viewer.role))

    def has_bulk_edit_permission(self, request):
        """Changing what actions do (permission, category, copies, imports) is the family admin's call."""
        return viewer_of(request).sees_every_profile and self.has_change_permission(request)

    def get_fields(self, request, obj=None):
        if viewer_of(request).sees_every_profile:
            return [*self._form_fields, "other_metadata", "created_at", "updated_at"]
        return [*self._member_fields, "other_metadata"]

    def get_readonly_fields(self, request, obj=None):
        if not viewer_of(request).sees_every_profile:
            # Members switch actions on and off; what an action does is the parents' call.
            return [f for f in self.get_fields(request, obj) if f != "is_enabled"]
        # The id is the primary key: changing it would copy the action, not rename it.
        return [*self.readonly_fields, "id"] if obj is not None else self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if not viewer_of(request).sees_every_profile:
            # A member's form holds only the on/off switch; the rest is shown read-only.
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, **kwargs)

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        if viewer_of(request).sees_every_profile:
            return form

        class MemberRowForm(form):
            """A member's row: only the on/off switch is editable."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name, field in self.fields.items():
                    if name != "is_enabled":
                        field.disabled = True

        return MemberRowForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "required_permission":
            return permission_field(label="required permission")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The service checks what a member may change (the on/off switch of actions at their level).
        category = form.cleaned_data.get("category", KEEP)
        services.quick_action_save(action=obj, category=category, changed_by=viewer_of(request).profile)

    def delete_model(self, request, obj):
        services.quick_actions_delete(
            actions=QuickAction.objects.filter(pk=obj.pk), changed_by=viewer_of(request).profile
        )

    def delete_queryset(self, request, queryset):
        services.quick_actions_delete(actions=queryset, changed_by=viewer_of(request).profile)

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        return [
            path("import/", admin_view(self.import_view), name="quickactions_quickaction_import"),
            path(
                "export.csv",
                admin_view(self.export_view),
                {"file_format": "csv"},
                name="quickactions_quickaction_export",
            ),
            path(
                "export.json",
                admin_view(self.export_view),
                {"file_format": "json"},
                name="quickactions_quickaction_export_json",
            ),  # fmt: skip
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Import quick actions from a file: family admins only (others 403)."""
        if not (self.has_bulk_edit_permission(request) and self.has_add_permission(request)):
            raise PermissionDenied
        return import_page(request, model_admin=self)

    def export_view(self, request, file_format):
        """The list as it stands (filters, search) as one CSV or JSON file, ready to import again."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).order_by("pk")
        queryset.explain()  # a value the database refuses answers 400 here, not a file broken half-way
        return export_response(queryset, file_format=file_format)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_import": self.has_bulk_edit_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description="category", ordering=KT("metadata__category"))
    def category(self, obj):
        return services.quick_action_category(action=obj) or "-"

    category_name = category

    @admin.display(description="commands", ordering="command_count")
    def command_count(self, obj):
        return obj.command_count

    @admin.display(description="uses (30 days)", ordering="recent_uses")
    def recent_uses(self, obj):
        return obj.recent_uses

    @admin.display(description="commands")
    def commands(self, obj):
        items = format_html_join("", "<li>{}</li>", ((command,) for command in obj.command_sequence or []))
        return format_html("<ol>{}</ol>", items) if items else "-"

    @admin.display(description="other metadata")
    def other_metadata(self, obj):
        values = services.quick_action_values(action=obj)["metadata"] if obj is not None and obj.pk else {}
        return format_html_join(", ", "{}: {}", ((k, json_pretty(v)) for k, v in values.items())) or "-"

    @admin.action(description="Enable selected quick actions", permissions=["change"])
    def enable_selected(self, request, queryset):
        self._bulk(request, queryset, "enabled", is_enabled=True)

    @admin.action(description="Disable selected quick actions", permissions=["change"])
    def disable_selected(self, request, queryset):
        self._bulk(request, queryset, "disabled", is_enabled=False)

    @admin.action(description="Set the required permission (choose it next to the action)", permissions=["bulk_edit"])
    def set_permission_selected(self, request, queryset):
        permission = request.POST.get("permission", "")
        if permission not in PermissionLevel.values:
            self.message_user(request, "Choose the permission in the box next to the action.", messages.ERROR)
            return
        self._bulk(request, queryset, f"set to “{PermissionLevel(permission).label}”", required_permission=permission)

    @admin.action(description="Set the category (type it next to the action)", permissions=["bulk_edit"])
    def set_category_selected(self, request, queryset):
        category = request.POST.get("category", "").strip()
        if not category:
            self.message_user(
                request, "Type the category in the box next to the action (to remove categories, use "
                "“Edit selected quick actions together”).", messages.ERROR,
            )  # fmt: skip
            return
        self._bulk(request, queryset, f"moved to the category “{category[:100]}”", category=category)

    @admin.action(description="Duplicate selected quick actions", permissions=["bulk_edit"])
    def duplicate_selected(self, request, queryset):
        try:
            copies = services.quick_actions_duplicate(actions=queryset, changed_by=viewer_of(request).profile)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        names = ", ".join(copy.id for copy in copies[:10]) + (" …" if len(copies) > 10 else "")
        self.message_user(request, f"{len(copies)} cop{'y' if len(copies) == 1 else 'ies'} made: {names}.")

    @admin.action(description="Edit selected quick actions together…", permissions=["bulk_edit"])
    def bulk_edit_selected(self, request, queryset):
        return bulk_edit_page(request, queryset=queryset, model_admin=self)

    def _bulk(self, request, queryset, words: str, **changes) -> None:
        try:
            changed = services.quick_actions_bulk_update(
                actions=queryset, changed_by=viewer_of(request).profile, **changes
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"{len(changed)} quick action(s) {words}.", messages.SUCCESS)
