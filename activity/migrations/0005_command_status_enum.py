"""The seed's enum type command_status replaces varchar with a CHECK on activity_logs.status.

The partial indexes whose predicate names the status are made again so their predicate
compares enums (an index kept through the type change would compare text and no longer
match `status = 'failed'`). The recent_activity view reads the column, so it is made again.
Changing the type rewrites activity_logs under an exclusive lock: on a big table, plan for it.
"""

import django.db.models
from django.db import migrations

import tonnysite.modeling
from tonnysite.sql import enum_column_sql, enum_type, with_views_remade

COMMAND_STATUSES = ["pending", "processing", "success", "failed", "timeout"]
CHOICES = [
    ("pending", "Pending"),
    ("processing", "Processing"),
    ("success", "Success"),
    ("failed", "Failed"),
    ("timeout", "Timed out"),
]


def column_sql(type_name: str) -> str:
    return with_views_remade(
        ["recent_activity"], enum_column_sql("activity_logs", "status", type_name=type_name, default="pending")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0004_admin_search_and_status_indexes"),
        ("profiles", "0005_permission_level_and_response_mode_enums"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="activitylog", name="activity_logs_status_valid"),
        migrations.RemoveIndex(model_name="activitylog", name="activity_logs_failed_idx"),
        migrations.RemoveIndex(model_name="activitylog", name="activity_logs_unsettled_idx"),
        enum_type("command_status", COMMAND_STATUSES),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(column_sql("command_status"), column_sql("varchar(20)"))],
            state_operations=[
                migrations.AlterField(
                    model_name="activitylog",
                    name="status",
                    field=tonnysite.modeling.EnumField(
                        choices=CHOICES, db_default="pending", default="pending", enum_type="command_status"
                    ),
                ),
                migrations.AlterField(
                    model_name="recentactivity",
                    name="status",
                    field=tonnysite.modeling.EnumField(choices=CHOICES, enum_type="command_status"),
                ),
            ],
        ),
        # An unmanaged model of the user_statistics_summary view: no SQL.
        migrations.AlterField(
            model_name="userstatisticssummary",
            name="permission_level",
            field=tonnysite.modeling.EnumField(enum_type="permission_level"),
        ),
        migrations.AddIndex(
            model_name="activitylog",
            index=django.db.models.Index(
                condition=django.db.models.Q(("status", "failed")), fields=["-timestamp"], name="activity_logs_failed_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="activitylog",
            index=django.db.models.Index(
                condition=django.db.models.Q(("status__in", ["pending", "processing", "timeout"])),
                fields=["-timestamp"],
                name="activity_logs_unsettled_idx",
            ),
        ),
    ]
