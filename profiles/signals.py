"""Keep logins in step with profiles and the role groups with `profiles.roles`; each receiver calls one service."""

from django.apps import apps as global_apps
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from profiles import services
from profiles.models import UserProfile


@receiver(post_save, sender=UserProfile)
def profile_saved(sender, instance, update_fields=None, **kwargs):
    services.family_login_sync(profile=instance, update_fields=update_fields)


@receiver(pre_delete, sender=UserProfile)
def profile_deleting(sender, instance, **kwargs):
    services.family_login_revoke(profile=instance)


def role_groups_after_migrate(sender, apps=global_apps, **kwargs):
    # `flush` sends post_migrate without `apps`: the installed models are the ones to use then.
    services.role_groups_sync(apps=apps)
