"""Family members, their logins and quick actions in the admin; writes go through profiles.services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.fields.json import KT
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.debug import sensitive_post_parameters

from history.admin import ChangeHistoryMixin
from profiles import roles, services
from profiles.forms import pin_field
from profiles.models import FamilyLogin, ParentRequest, PermissionLevel, QuickAction, UserProfile
from profiles.parental_controls import controls_summary, parental_controls_page
from profiles.quick_action_forms import QuickActionActionForm, QuickActionForm, permission_field
from profiles.quick_action_pages import bulk_edit_page, export_response, import_page
from profiles.selectors import (
    profiles_with_today_command_count,
    quick_action_categories,
    quick_actions_with_recent_uses,
)
from tonnysite.familyadmin.display import json_pretty
from tonnysite.familyadmin.scoping import FamilyModelAdmin, ReadOnlyAdminMixin, viewer_of
from tonnysite.safe_input import text_problem


class UserProfileForm(forms.ModelForm):
    pin = pin_field(
        help_text="4 to 8 digits (0-9); only its bcrypt hash is stored. Leave blank to keep the current PIN."
    )
    clear_pin = forms.BooleanField(label="Remove the PIN", required=False)
    username = forms.CharField(
        label="Login username",
        required=False,
        help_text="Give this member a login to the family admin (optional; guests get no admin access).",
    )
    password = forms.CharField(
        label="Login password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = UserProfile
        fields = (
            "name",
            "permission_level",
            "is_active",
            "voice_id",
            "preferred_agent",
            "response_mode",
            "settings",
            "voice_training_data",
        )

    def clean(self):
        cleaned = super().clean()
        pin = cleaned.get("pin")
        if pin and cleaned.get("clear_pin"):
            self.add_error("clear_pin", "Either set a new PIN or remove it, not both.")
        elif pin:
            try:
                services.pin_validate(pin=pin)
            except ValidationError as error:
                self.add_error("pin", error)
        username = cleaned.get("username")
        if username:
            try:
                services.family_login_check(
                    username=username, password=cleaned.get("password") or "", name=cleaned.get("name") or ""
                )
            except ValidationError as error:
                self.add_error(None, error)
        elif cleaned.get("password"):
            self.add_error("username", "A password needs a username.")
        return cleaned


@admin.register(UserProfile)
class UserProfileAdmin(ChangeHistoryMixin, FamilyModelAdmin):
    owner_field = "pk"
    form = UserProfileForm
    list_display = (
        "name", "permission_level", "is_active", "last_active_at", "today_commands", "sign_in", "controls_link",
    )  # fmt: skip
    list_filter = ("permission_level", "is_active")
    search_fields = ("name",)
    readonly_fields = (
        "pin_status", "parental_controls", "parental_controls_summary", "sign_in", "created_at", "updated_at",
        "last_active_at", "today_commands",
    )  # fmt: skip

    def get_queryset(self, request):
        return profiles_with_today_command_count(super().get_queryset(request).select_related("login__user"))

    def get_fieldsets(self, request, obj=None):
        controls = "parental_controls" if viewer_of(request).sees_every_profile else "parental_controls_summary"
        fieldsets = [
            (None, {"fields": ["name", "permission_level", "is_active"]}),
            ("Voice and replies", {"fields": ["voice_id", "preferred_agent", "response_mode"]}),
            (
                "Parental controls",
                {"fields": ["pin_status", "pin", "clear_pin", controls]},
            ),
            ("Preferences", {"fields": ["settings", "voice_training_data"], "classes": ["collapse"]}),
        ]
        if viewer_of(request).sees_every_profile:
            if obj is None or not hasattr(obj, "login"):
                fieldsets.append(("Login", {"fields": ["username", "password"]}))
            else:
                fieldsets.append(("Login", {"fields": ["sign_in"]}))
        if obj is not None:
            fieldsets.append(("Activity", {"fields": ["last_active_at", "today_commands", "created_at", "updated_at"]}))
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not (viewer_of(request).sees_every_profile and (obj is None or not hasattr(obj, "login"))):
            # Only a family admin gives a login, and only to a profile without one.
            form.base_fields.pop("username", None)
            form.base_fields.pop("password", None)
        return form

    def get_readonly_fields(self, request, obj=None):
        if viewer_of(request).sees_every_profile:
            return self.readonly_fields
        # A member edits only their voice, replies, preferences and PIN; the rest is the parents' call.
        editable = set(roles.OWN_PROFILE_EDITABLE_FIELDS)
        every_field = [f for _, options in self.get_fieldsets(request, obj) for f in options["fields"]]
        return [f for f in every_field if f not in editable]

    @method_decorator(sensitive_post_parameters("pin", "password"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and viewer_of(request).sees_every_profile:
            # The object-tool button next to History.
            context["parental_controls_url"] = reverse("admin:profiles_userprofile_parental_controls", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.profile_save(
            profile=obj,
            pin=data.get("pin") or None,
            clear_pin=bool(data.get("clear_pin")),
            username=data.get("username") or None,
            password=data.get("password") or None,
        )

    def get_list_display(self, request):
        if viewer_of(request).sees_every_profile:
            return self.list_display
        return [name for name in self.list_display if name != "controls_link"]

    def get_urls(self):
        return [
            path(
                "<path:object_id>/parental-controls/",
                self.admin_site.admin_view(self.parental_controls_view),
                name="profiles_userprofile_parental_controls",
            ),
            *super().get_urls(),
        ]

    def parental_controls_view(self, request, object_id):
        """The parental-controls page of one member: family admins only (others 403, unknown ids 404)."""
        if not viewer_of(request).sees_every_profile:
            raise PermissionDenied
        profile = self.get_object(request, unquote(object_id))
        return parental_controls_page(request, profile=profile, model_admin=self)

    @admin.display(description="parental controls")
    def controls_link(self, obj):
        url = reverse("admin:profiles_userprofile_parental_controls", args=[obj.pk])
        return format_html('<a href="{}">Parental controls</a>', url)

    @admin.display(description="parental controls")
    def parental_controls(self, obj):
        if obj is None or obj.pk is None:
            return "Set limits, hours and command lists on the member's parental-controls page once it is saved."
        url = reverse("admin:profiles_userprofile_parental_controls", args=[obj.pk])
        return format_html(
            '{}<br><a href="{}" class="button">Open the parental-controls page</a>', controls_summary(obj), url
        )

    @admin.display(description="parental controls")
    def parental_controls_summary(self, obj):
        # What a member below family admin sees of their own controls: the parents' call, without a link.
        return controls_summary(obj) if obj is not None else "-"

    @admin.display(description="commands today", ordering="today_command_count")
    def today_commands(self, obj):
        return getattr(obj, "today_command_count", 0)

    @admin.display(description="PIN")
    def pin_status(self, obj):
        return "set" if obj and obj.pin_hash else "not set"

    @admin.display(description="login")
    def sign_in(self, obj):
        login = getattr(obj, "login", None)
        if login is None:
            return "-"
        return login.user.get_username()


@admin.register(ParentRequest)
class ParentRequestAdmin(ChangeHistoryMixin, ReadOnlyAdminMixin, FamilyModelAdmin):
    """What members asked their parents and the answers; they are answered on the dashboard."""

    list_display = ("created_at", "profile", "kind", "command", "status", "approved_until", "decided_by", "device")
    list_select_related = ("profile", "decided_by")
    list_filter = ("status", "kind")
    fields = ("profile", "kind", "command", "message", "reason", "device", "status", "created_at", "decided_at",
              "decided_by", "approved_until", "used_at")  # fmt: skip
    readonly_fields = fields


@admin.register(FamilyLogin)
class FamilyLoginAdmin(ChangeHistoryMixin, ReadOnlyAdminMixin, FamilyModelAdmin):
    owner_field = None
    list_display = ("user", "profile", "role", "can_sign_in", "last_sign_in", "created_at")
    list_select_related = ("user", "profile")
    search_fields = ("user__username", "profile__name")
    fields = ("user_link", "profile", "role", "can_sign_in", "last_sign_in", "created_at")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None):
        # Take a login away by deactivating its profile or deleting its user: the link stays honest.
        return False

    @admin.display(description="role", ordering="profile__permission_level")
    def role(self, obj):
        return obj.profile.get_permission_level_display()

    @admin.display(description="can sign in", boolean=True)
    def can_sign_in(self, obj):
        return obj.user.is_active and obj.user.is_staff

    @admin.display(description="last sign-in", ordering="user__last_login")
    def last_sign_in(self, obj):
        return obj.user.last_login

    @admin.display(description="user")
    def user_link(self, obj):
        url = reverse("admin:auth_user_change", args=[obj.user_id])
        return format_html('<a href="{}">{}</a> (change the password there)', url, obj.user.get_username())


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
    owner_field = None
    form = QuickActionForm
    action_form = QuickActionActionForm
    change_list_template = "admin/profiles/quickaction/change_list.html"
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
        category = form.cleaned_data.get("category", services.KEEP)
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
            path("import/", admin_view(self.import_view), name="profiles_quickaction_import"),
            path(
                "export.csv", admin_view(self.export_view), {"file_format": "csv"}, name="profiles_quickaction_export"
            ),
            path(
                "export.json",
                admin_view(self.export_view),
                {"file_format": "json"},
                name="profiles_quickaction_export_json",
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
