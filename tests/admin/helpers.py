"""Helpers shared by the admin tests: URLs by model and view, and a row in a role's own scope."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from activity.models import RecentActivity, UserStatisticsSummary


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
    if name == "recentactivity":
        return RecentActivity.objects.get(pk=rows[owner]["activitylog"].pk)
    if name == "userstatisticssummary":
        return UserStatisticsSummary.objects.get(pk=(family.other if role == "admin" else family[role]).pk)
    if name == "user":
        return get_user_model().objects.get(username=role)
    if name == "group":
        return Group.objects.get(name=role)
    raise AssertionError(model)


def url(model: str, view: str, *args) -> str:
    """The admin URL of `view` ("changelist", "add", "change", ...) for "app.model"."""
    app, name = model.split(".")
    return reverse(f"admin:{app}_{name}_{view}", args=args)
