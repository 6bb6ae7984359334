"""Family members, their logins and quick actions in the admin; writes go through profiles.services."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from history.admin import ChangeHistoryMixin
from profiles.models import FamilyLogin
from tonnysite.familyadmin.scoping import FamilyModelAdmin, ReadOnlyAdminMixin


@admin.register(FamilyLogin)
class FamilyLoginAdmin(ChangeHistoryMixin, ReadOnlyAdminMixin, FamilyModelAdmin):
    index_section = "Family"
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

    @admin.display(description="login")
    def user_link(self, obj):
        url = reverse("admin:auth_user_change", args=[obj.user_id])
        return format_html('<a href="{}">{}</a> (change the password there)', url, obj.user.get_username())
