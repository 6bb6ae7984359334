"""Helpers shared by the admin tests: URLs by model and view, and a row in a role's own scope."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from activity.models import RecentActivity, UserStatisticsSummary
from profiles.models import UserProfile


def own_object(model: str, role: str, family, rows):
    """A row the role's own scope covers (for the admin: someone else's, since it sees everything)."""
    owner = "other" if role == "admin" else role
    app, name = model.split(".")
    if name in rows.get(owner, {}):
        return rows[owner][name]
    if name == "userprofile":
        return family.other if role == "admin" else family[role]
    if name == "familylogin":
        return family[role].login
    if name == "quickaction":
        return rows["quickaction"]["kid"]
    if name == "setting":
        return rows["setting"]["plain"]
    if name == "devicetoken":
        return rows["devicetoken"]
    if name == "recentactivity":
        return RecentActivity.objects.get(pk=rows[owner]["activitylog"].pk)
    if name == "userstatisticssummary":
        return UserStatisticsSummary.objects.get(pk=(family.other if role == "admin" else family[role]).pk)
    if name == "user":
        return get_user_model().objects.get(username=role)
    if name == "group":
        return Group.objects.get(name=role)
    if name == "change":
        from history.models import Change

        profile = family.other if role == "admin" else family[role]
        return Change.objects.get(table_name="user_profiles", row_id=str(profile.pk), action="insert")
    raise AssertionError(model)


def url(model: str, view: str, *args) -> str:
    """The admin URL of `view` ("changelist", "add", "change", ...) for "app.model"."""
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_{view}", args=args)


def profile_form(profile: UserProfile, **changes) -> dict:
    data = {
        "name": profile.name,
        "permission_level": profile.permission_level,
        "is_active": "on" if profile.is_active is not False else "",
        "voice_id": profile.voice_id or "",
        "preferred_agent": profile.preferred_agent or "",
        "response_mode": profile.response_mode or "",
        "allowed_commands": "",
        "blocked_commands": "",
        "usage_limits": "{}",
        "settings": "{}",
        "voice_training_data": "{}",
        "pin": "",
        # What the browser posts back for fields with a callable default (show_hidden_initial).
        "initial-usage_limits": "{}",
        "initial-settings": "{}",
        "initial-voice_training_data": "{}",
    }
    return {**data, **changes}
