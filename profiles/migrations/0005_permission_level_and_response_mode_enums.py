"""The seed's enum types permission_level and response_mode replace varchar with a CHECK.

Plain-SQL clients written against the seed cast to these types ('kid'::permission_level)
and compare in the enum's order. The CHECKs of the allowed values go: the type enforces them.
The user_statistics_summary view reads user_profiles.permission_level, so it is made again.
Changing a column's type rewrites the table (user_profiles and quick_actions are small).
"""

from django.db import migrations

import tonnysite.modeling
from tonnysite.sql import enum_column_sql, enum_type, with_views_remade

PERMISSION_LEVELS = ["admin", "user", "kid", "guest"]
RESPONSE_MODES = ["text_only", "voice_only", "both"]


def columns_sql(*, enums: bool) -> str:
    def typed(name):
        return name if enums else "varchar(20)"

    return "\n".join(
        [
            enum_column_sql("user_profiles", "permission_level", type_name=typed("permission_level"), default="user"),
            enum_column_sql("user_profiles", "response_mode", type_name=typed("response_mode"), default="both"),
            enum_column_sql("quick_actions", "required_permission", type_name=typed("permission_level"), default="user"),
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0004_role_groups"),
        ("activity", "0002_views_and_triggers"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="userprofile", name="user_profiles_permission_level_valid"),
        migrations.RemoveConstraint(model_name="userprofile", name="user_profiles_response_mode_valid"),
        migrations.RemoveConstraint(model_name="quickaction", name="quick_actions_required_permission_valid"),
        enum_type("permission_level", PERMISSION_LEVELS),
        enum_type("response_mode", RESPONSE_MODES),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    with_views_remade(["user_statistics_summary"], columns_sql(enums=True)),
                    with_views_remade(["user_statistics_summary"], columns_sql(enums=False)),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="userprofile",
                    name="permission_level",
                    field=tonnysite.modeling.EnumField(
                        choices=[("admin", "Admin"), ("user", "User"), ("kid", "Kid"), ("guest", "Guest")],
                        db_comment="admin, user, kid or guest",
                        db_default="user",
                        default="user",
                        enum_type="permission_level",
                    ),
                ),
                migrations.AlterField(
                    model_name="userprofile",
                    name="response_mode",
                    field=tonnysite.modeling.EnumField(
                        blank=True,
                        choices=[("text_only", "Text only"), ("voice_only", "Voice only"), ("both", "Text and voice")],
                        db_default="both",
                        default="both",
                        enum_type="response_mode",
                        null=True,
                    ),
                ),
                migrations.AlterField(
                    model_name="quickaction",
                    name="required_permission",
                    field=tonnysite.modeling.EnumField(
                        blank=True,
                        choices=[("admin", "Admin"), ("user", "User"), ("kid", "Kid"), ("guest", "Guest")],
                        db_comment="Lowest role that may run it",
                        db_default="user",
                        default="user",
                        enum_type="permission_level",
                        null=True,
                    ),
                ),
            ],
        ),
    ]
