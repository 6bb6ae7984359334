"""Device tokens in the admin: made here (the token shown once), limited to members, revoked, last use shown.

Family admins only (owner_field None). Thin adapters over trayapi.services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format

from profiles.models import UserProfile
from tonnysite.familyadmin.forms import service_errors_to_form
from tonnysite.familyadmin.scoping import FamilyModelAdmin
from tonnysite.safe_input import text_problem
from trayapi import services
from trayapi.models import DeviceToken


class DeviceTokenForm(forms.ModelForm):
    sensitive_settings = forms.CharField(
        required=False,
        help_text="Keys of sensitive settings this device may read, one per line (most devices need none).",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = DeviceToken
        fields = ["name", "members", "sensitive_settings"]
        widgets = {"members": forms.CheckboxSelectMultiple}
        help_texts = {"members": "Leave all unticked to let the device act for every member."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = UserProfile.objects.order_by("name")
        if self.instance.pk:
            self.initial["sensitive_settings"] = "\n".join(self.instance.sensitive_settings or [])

    def clean_sensitive_settings(self):
        keys = [line.strip() for line in self.cleaned_data["sensitive_settings"].splitlines() if line.strip()]
        for key in keys:
            if text_problem(key) or len(key) > 255:
                raise ValidationError("A key is a setting's name, e.g. elevenlabs.api_key.")
        return keys


@admin.action(description="Revoke the selected devices' tokens")
def revoke_tokens(modeladmin, request, queryset):
    for device in queryset:
        services.device_token_revoke(device=device)
    modeladmin.message_user(request, f"Revoked {queryset.count()} device token(s).", messages.SUCCESS)


@admin.register(DeviceToken)
class DeviceTokenAdmin(FamilyModelAdmin):
    owner_field = None
    form = DeviceTokenForm
    list_display = ("name", "member_names", "state", "last_used_at", "last_used_from", "created_at")
    readonly_fields = ("token_prefix", "created_at", "created_by", "revoked_at", "last_used_at", "last_used_from")
    actions = [revoke_tokens]
    search_fields = ("name",)

    @admin.display(description="members")
    def member_names(self, obj):
        names = [member.name for member in obj.members.all()]
        return ", ".join(names) if names else "every member"

    @admin.display(description="state")
    def state(self, obj):
        if obj.revoked_at is None:
            return "active"
        return f"revoked {date_format(timezone.localtime(obj.revoked_at), 'DATETIME_FORMAT')}"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "members", "sensitive_settings"]
        return ["name", "members", "sensitive_settings", *self.readonly_fields]

    def add_view(self, request, form_url="", extra_context=None):
        """Make the token and show it this once (a page of its own: it never reaches a message or a log)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DeviceTokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                device, token = services.device_token_create(
                    name=form.cleaned_data["name"], members=list(form.cleaned_data["members"]),
                    sensitive_settings=form.cleaned_data["sensitive_settings"], created_by=request.user.get_username(),
                )  # fmt: skip
            except ValidationError as error:
                service_errors_to_form(form, error)
            else:
                context = {**self.admin_site.each_context(request), "title": f"Token of {device.name}",
                           "device": device, "token": token, "opts": self.opts}  # fmt: skip
                response = TemplateResponse(request, "admin/trayapi/devicetoken/created.html", context)
                response["Cache-Control"] = "no-store"
                return response
        context = {**self.admin_site.each_context(request), "title": "Add a device", "form": form, "opts": self.opts}
        return TemplateResponse(request, "admin/trayapi/devicetoken/add.html", context)

    def save_model(self, request, obj, form, change):
        services.device_token_update(
            device=obj, name=form.cleaned_data["name"], sensitive_settings=form.cleaned_data["sensitive_settings"]
        )

    def save_related(self, request, form, formsets, change):
        services.device_token_members_set(device=form.instance, members=list(form.cleaned_data["members"]))

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the device's name stays in the change history and the sessions
