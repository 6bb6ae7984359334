"""The groups admin, user, kid and guest with the permissions of profiles.roles.

The same service runs after every migrate (profiles.signals), so a later change
of the mapping reaches existing databases without another data migration.
"""

from django.db import migrations


def role_groups_create(apps, schema_editor):
    from profiles.services import role_groups_sync

    role_groups_sync(apps=apps)


def role_groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["admin", "user", "kid", "guest"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0003_family_login"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("activity", "0003_recentactivity_userstatisticssummary"),
        ("telemetry", "0002_log_system_event_and_schema_migrations"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(role_groups_create, role_groups_delete)]
