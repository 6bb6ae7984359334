"""What each family role may do in the admin: the one place that maps roles to permissions.

A login's role is its profile's permission_level. Each role is a Django group of
the same name whose model permissions are exactly ROLE_PERMISSIONS[role]
(kept so by `profiles.services.role_groups_sync`, run by a data migration and
after every migrate). Which *rows* a member sees is the admin's row scoping
(`tonnysite.familyadmin.scoping`): a family admin sees every profile's rows,
everyone else only their own.
"""

from django.db.models import Q

from profiles.models import PermissionLevel

# Apps whose every permission a family admin holds.
FAMILY_ADMIN_APPS = (
    "profiles",
    "activity",
    "telemetry",
    "history",
    "quickactions",
    "parental",
    "trayapi",
    "auth",
    "admin",
    "axes",
)

_OWN_ACTIVITY_AND_STATISTICS = frozenset(
    {
        "activity.view_activitylog",
        "activity.view_commandhistory",
        "activity.view_session",
        "activity.view_usagestatistic",
        "activity.view_recentactivity",
        "activity.view_userstatisticssummary",
    }
)

# Model permissions per role ("app_label.codename"). The admin role holds every
# permission of FAMILY_ADMIN_APPS instead of a list.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    PermissionLevel.USER: _OWN_ACTIVITY_AND_STATISTICS
    | {
        "profiles.view_userprofile",
        "profiles.change_userprofile",
        "quickactions.view_quickaction",
        "quickactions.change_quickaction",
        # Settings are the whole family's (privacy, holidays, servers): a user reads them, a family
        # admin changes them; a user's own preferences are on their profile.
        "telemetry.view_setting",
        "telemetry.view_notification",
        # The history of what they may see (the history admin scopes it row by row).
        "history.view_change",
    },
    PermissionLevel.KID: _OWN_ACTIVITY_AND_STATISTICS,
    PermissionLevel.GUEST: frozenset(),
}

# Roles below family admin that may switch quick actions (at their level or below) on and off;
# only a family admin changes what an action does, creates, copies, imports or deletes one.
QUICK_ACTION_SWITCHING_ROLES = frozenset({PermissionLevel.USER})

# Roles that may sign in to the admin at all (is_staff follows this).
ROLES_WITH_ADMIN_ACCESS = frozenset({PermissionLevel.ADMIN, PermissionLevel.USER, PermissionLevel.KID})

# Fields of their own profile a member below admin may change; the rest (role,
# active flag, parental controls) only a family admin changes.
OWN_PROFILE_EDITABLE_FIELDS = ("voice_id", "preferred_agent", "response_mode", "settings", "pin", "clear_pin")


def role_permission_filter(role: str) -> Q:
    """Return the filter on auth.Permission that selects exactly the permissions of `role`."""
    if role == PermissionLevel.ADMIN:
        return Q(content_type__app_label__in=FAMILY_ADMIN_APPS)
    condition = Q(pk__in=[])
    for permission in ROLE_PERMISSIONS[role]:
        app_label, codename = permission.split(".", 1)
        condition |= Q(content_type__app_label=app_label, codename=codename)
    return condition


def role_has_admin_access(role: str | None) -> bool:
    """Whether a login of `role` may use the admin site."""
    return role in ROLES_WITH_ADMIN_ACCESS


def role_sees_every_profile(role: str | None) -> bool:
    """Whether `role` sees every family member's rows, not only its own."""
    return role == PermissionLevel.ADMIN


def role_may_use_quick_action(role: str, required_permission: str | None) -> bool:
    """Whether `role` reaches a quick action: its required level is `role` or a lower one."""
    required = required_permission or PermissionLevel.USER
    return PermissionLevel.rank(required) >= PermissionLevel.rank(role)


def quick_action_levels_for(role: str) -> list[str]:
    """The required_permission values a member of `role` may see and switch."""
    return [level for level in PermissionLevel.values if role_may_use_quick_action(role, level)]
