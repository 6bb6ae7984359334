"""Stop a deleted profile's login and keep the role groups in step with `profiles.roles`; each receiver calls
one service.

A profile's login follows its role through the services that write profiles (`profile_save`,
`family_member_create`, `family_login_create`, `family_admin_ensure`), not through a post_save receiver:
every writer goes through them, so one path keeps the login in step.
"""

from django.apps import apps as global_apps
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from profiles import services
from profiles.models import UserProfile


@receiver(pre_delete, sender=UserProfile)
def profile_deleting(sender, instance, **kwargs):
    services.family_login_revoke(profile=instance)


def role_groups_after_migrate(sender, apps=global_apps, **kwargs):
    # `flush` sends post_migrate without `apps`: the installed models are the ones to use then.
    services.role_groups_sync(apps=apps)
