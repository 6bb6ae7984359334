"""The table quick_actions moves from profiles to this app: state only, the table stays as it is."""

import django.contrib.postgres.fields
import django.contrib.postgres.functions
import tonnysite.modeling
from django.db import migrations, models

APP = "quickactions"


def content_type_to_this_app(model):
    """Keep the model's content type (and so its permissions, the groups holding them and the admin log)."""

    def move(source, target):
        def run(apps, schema_editor):
            content_types = apps.get_model("contenttypes", "ContentType")
            if not content_types.objects.filter(app_label=target, model=model).exists():
                content_types.objects.filter(app_label=source, model=model).update(app_label=target)

        return run

    return migrations.RunPython(move("profiles", APP), move(APP, "profiles"))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("profiles", "0009_policy_sessions_idle"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='QuickAction',
                    fields=[
                        ('id', models.CharField(db_comment='Slug such as good_morning', max_length=100, primary_key=True, serialize=False)),
                        ('display_name', models.CharField(max_length=255)),
                        ('icon', models.CharField(blank=True, db_comment='Emoji or icon name', max_length=50, null=True)),
                        ('command_sequence', django.contrib.postgres.fields.ArrayField(base_field=models.TextField(), db_comment='Commands run in order; at least one')),
                        ('description', models.TextField(blank=True, null=True)),
                        ('is_enabled', models.BooleanField(db_default=True, default=True, null=True)),
                        ('required_permission', tonnysite.modeling.EnumField(blank=True, choices=[('admin', 'Admin'), ('user', 'User'), ('kid', 'Kid'), ('guest', 'Guest')], db_comment='Lowest role that may run it', db_default='user', default='user', enum_type='permission_level', null=True)),
                        ('metadata', models.JSONField(blank=True, db_default={}, default=dict, null=True)),
                        ('created_at', models.DateTimeField(db_default=django.contrib.postgres.functions.TransactionNow(), editable=False, null=True)),
                        ('updated_at', models.DateTimeField(db_default=django.contrib.postgres.functions.TransactionNow(), editable=False, null=True)),
                    ],
                    options={
                        'db_table': 'quick_actions',
                        'db_table_comment': 'Command macros a family member can run with one tap',
                        'ordering': ['display_name'],
                        'indexes': [models.Index(condition=models.Q(('is_enabled', True)), fields=['required_permission'], name='quick_actions_enabled_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('id__regex', '^[a-z0-9_]+$')), name='quick_actions_id_slug', violation_error_message='The id may use only lowercase letters, digits and underscores.'), models.CheckConstraint(condition=models.Q(('command_sequence__len__gte', 1)), name='quick_actions_command_sequence_not_empty', violation_error_message='A quick action needs at least one command.')],
                    },
                ),
            ],
        ),
        content_type_to_this_app("quickaction"),
    ]
