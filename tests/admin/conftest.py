"""A family with one login per role, another member whose rows nobody but the admin may see,
and a signed-in test client per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from activity.models import UsageStatistic
from activity.tests.factories import ActivityLogFactory, CommandHistoryFactory, SessionFactory
from parental.models import ParentRequest
from profiles.models import PermissionLevel, UserProfile
from profiles.services import family_member_create
from quickactions.tests.factories import QuickActionFactory
from telemetry.tests.factories import NotificationFactory, SettingFactory, SystemEventFactory
from trayapi.services import device_token_create

PASSWORD = "family-admin-test-9f3c"
ROLES = ("admin", "user", "kid", "guest")


@dataclass
class Family:
    members: dict[str, UserProfile]
    other: UserProfile  # a member without a login, whose rows only the family admin sees

    def __getitem__(self, role: str) -> UserProfile:
        return self.members[role]


@pytest.fixture
def family(db) -> Family:
    members = {
        role: family_member_create(
            name=f"{role.capitalize()} Member", permission_level=role, username=role, password=PASSWORD
        )
        for role in ROLES
    }
    other = family_member_create(name="Other Member", permission_level=PermissionLevel.USER)
    return Family(members=members, other=other)


def signed_in_client(username: str) -> Client:
    client = Client()
    client.force_login(
        get_user_model().objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


@pytest.fixture
def client_as(family):
    """Return a test client signed in as the login of `role`."""
    return signed_in_client


@pytest.fixture
def rows(family):
    """One row of every table for each of the kid, the user and the other member."""
    made = {}
    for owner in ("kid", "user", "other"):
        profile = family.other if owner == "other" else family[owner]
        made[owner] = {
            "activitylog": ActivityLogFactory(profile=profile, command_text=f"turn on the lights for {owner}"),
            "commandhistory": CommandHistoryFactory(profile=profile),
            "session": SessionFactory(profile=profile),
            # The activity above made this day's statistics (activity.signals keep them exact).
            "usagestatistic": UsageStatistic.objects.get(profile=profile),
            "systemevent": SystemEventFactory(profile=profile),
            "notification": NotificationFactory(profile=profile),
            "parentrequest": ParentRequest.objects.create(profile=profile, kind="more_time", device="kitchen"),
        }
    made["quickaction"] = {
        level: QuickActionFactory(id=f"action_{level}", display_name=f"Action {level}", required_permission=level)
        for level in PermissionLevel.values
    }
    made["setting"] = {
        "plain": SettingFactory(key="ui.theme", value="dark", default_value="light"),
        "secret": SettingFactory(key="n8n.api_key", value="sk-very-secret-value", is_sensitive=True),
        "locked": SettingFactory(key="server.port", value=8080, is_user_editable=False),
    }
    made["devicetoken"], _ = device_token_create(name="kitchen speaker", members=[family["kid"]])
    return made
