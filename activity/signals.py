"""Keep derived numbers exact when activity, command history or sessions change through the ORM.

Each receiver is one call to a service. Bulk writes (bulk_create, update(), plain SQL)
skip these: activity_record_many and usage_statistics_rebuild cover them.
"""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from activity import services
from activity.models import ActivityLog, CommandHistory, Session
from activity.selectors import (
    ActivityFootprint,
    stored_activity_footprint,
    stored_command_footprint,
    stored_session_footprint,
)


@receiver(pre_save, sender=ActivityLog)
def remember_stored_activity(sender, instance, **kwargs):
    instance._stored_footprint = stored_activity_footprint(instance)


@receiver(post_save, sender=ActivityLog)
def activity_saved(sender, instance, **kwargs):
    services.activity_changed(footprints=[instance._stored_footprint, ActivityFootprint.of(instance)])


@receiver(post_delete, sender=ActivityLog)
def activity_deleted(sender, instance, **kwargs):
    services.activity_changed(footprints=[ActivityFootprint.of(instance)])


@receiver(pre_save, sender=CommandHistory)
def remember_stored_command(sender, instance, **kwargs):
    instance._stored_footprint = stored_command_footprint(instance)


@receiver(post_save, sender=CommandHistory)
def command_saved(sender, instance, **kwargs):
    services.command_history_changed(footprints=[instance._stored_footprint, (instance.profile_id, instance.timestamp)])


@receiver(post_delete, sender=CommandHistory)
def command_deleted(sender, instance, **kwargs):
    services.command_history_changed(footprints=[(instance.profile_id, instance.timestamp)])


@receiver(pre_save, sender=Session)
def remember_stored_session(sender, instance, **kwargs):
    instance._stored_footprint = stored_session_footprint(instance)


@receiver(post_save, sender=Session)
def session_saved(sender, instance, **kwargs):
    services.session_changed(
        before=instance._stored_footprint, after=(instance.profile_id, instance.started_at, instance.ended_at)
    )


@receiver(post_delete, sender=Session)
def session_deleted(sender, instance, **kwargs):
    services.session_changed(before=(instance.profile_id, instance.started_at, instance.ended_at), after=None)
