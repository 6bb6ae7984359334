"""Family members in the admin with their rules (the member list and form, the parental-controls page) and the
requests to a parent; writes go through profiles.services and parental.services.

The member pages live here, not in profiles, because they show today's use (activity) and the family's rules.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from history.admin import ChangeHistoryMixin
from parental import services as parental_services
from parental.forms import pin_field
from parental.models import ParentRequest
from parental.pages import controls_summary, parental_controls_page
from parental.selectors import profiles_with_today_command_count
from profiles import roles, services
from profiles.models import UserProfile
from tonnysite.familyadmin.scoping import FamilyModelAdmin, ReadOnlyAdminMixin, viewer_of


class UserProfileForm(forms.ModelForm):
    pin = pin_field(
        help_text="4 to 8 digits (0-9), kept scrambled so nobody can read it back. Leave blank to keep the current PIN."
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
    index_section = "Family"
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

    def delete_model(self, request, obj):
        services.profiles_delete(profiles=UserProfile.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.profiles_delete(profiles=queryset)

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
        if obj is None or obj._state.adding:  # a new member's id exists before it is saved
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

    index_section = "Parental controls"

    list_display = ("created_at", "profile", "kind", "command", "status", "approved_until", "decided_by", "device")
    list_select_related = ("profile", "decided_by")
    list_filter = ("status", "kind")
    fields = ("profile", "kind", "command", "message", "reason", "device", "status", "created_at", "decided_at",
              "decided_by", "approved_until", "used_at")  # fmt: skip
    readonly_fields = fields

    def delete_model(self, request, obj):
        parental_services.parent_requests_delete(requests=ParentRequest.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        parental_services.parent_requests_delete(requests=queryset)
