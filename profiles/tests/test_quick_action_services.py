"""Switching quick actions on and off in bulk, within the changer's reach."""

import pytest
from django.core.exceptions import ValidationError

from profiles.models import QuickAction
from profiles.services import quick_actions_bulk_update
from profiles.tests.factories import QuickActionFactory, UserProfileFactory

pytestmark = pytest.mark.django_db


def test_bulk_update_switches_every_action_in_one_go():
    QuickActionFactory.create_batch(3)

    changed = quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False)

    assert len(changed) == 3
    assert not QuickAction.objects.filter(is_enabled=True).exists()


def test_bulk_update_returns_only_the_actions_that_changed():
    QuickActionFactory(is_enabled=False)
    QuickActionFactory(is_enabled=True)

    changed = quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False)

    assert len(changed) == 1


def test_member_cannot_switch_an_action_above_their_level():
    QuickActionFactory(id="lock_doors", required_permission="admin")
    kid = UserProfileFactory(permission_level="kid")

    with pytest.raises(ValidationError, match="lock_doors"):
        quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False, changed_by=kid)


def test_member_switches_actions_at_their_own_level():
    QuickActionFactory(id="bedtime", required_permission="kid")
    kid = UserProfileFactory(permission_level="kid")

    quick_actions_bulk_update(actions=QuickAction.objects.all(), is_enabled=False, changed_by=kid)

    assert QuickAction.objects.get(pk="bedtime").is_enabled is False
