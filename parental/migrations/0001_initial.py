"""The table parent_requests moves from profiles to this app: state only, the table stays as it is."""

import django.contrib.postgres.functions
import django.db.models.deletion
import uuid
from django.db import migrations, models

APP = "parental"


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
                    name='ParentRequest',
                    fields=[
                        ('id', models.UUIDField(db_default=django.contrib.postgres.functions.RandomUUID(), default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('kind', models.CharField(choices=[('more_time', 'More time'), ('command', 'One command')], db_comment='more_time or command', max_length=20)),
                        ('command', models.TextField(blank=True, db_comment='The refused command (kind command)', null=True)),
                        ('command_key', models.TextField(blank=True, db_comment='The command as the policy compares it (parental.rules.command_normalize)', null=True)),
                        ('reason', models.CharField(blank=True, db_comment='Why it was refused', db_default='', default='', max_length=40)),
                        ('message', models.TextField(blank=True, db_comment='What the member said, if anything', db_default='', default='')),
                        ('device', models.CharField(blank=True, db_comment='The asking device', db_default='', default='', max_length=100)),
                        ('status', models.CharField(choices=[('pending', 'Waiting for a parent'), ('approved', 'Approved'), ('declined', 'Declined')], db_default='pending', default='pending', max_length=20)),
                        ('created_at', models.DateTimeField(db_default=django.contrib.postgres.functions.TransactionNow(), editable=False)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('approved_until', models.DateTimeField(blank=True, db_comment='The approval holds until then', null=True)),
                        ('used_at', models.DateTimeField(blank=True, db_comment='When the one approved command ran', null=True)),
                        ('decided_by', models.ForeignKey(blank=True, db_column='decided_by', null=True, on_delete=django.db.models.deletion.DB_SET_NULL, related_name='+', to='profiles.userprofile')),
                        ('profile', models.ForeignKey(db_comment='Who asks', on_delete=django.db.models.deletion.DB_CASCADE, related_name='parent_requests', to='profiles.userprofile')),
                    ],
                    options={
                        'db_table': 'parent_requests',
                        'db_table_comment': "Ask a parent: requests for more time or one refused command, and the parents' answers",
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(condition=models.Q(('status', 'approved')), fields=['profile', '-approved_until'], name='parent_requests_approved_idx'), models.Index(condition=models.Q(('status', 'pending')), fields=['-created_at'], name='parent_requests_pending_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['more_time', 'command'])), name='parent_requests_kind_valid', violation_error_message='A request asks for more time or for one command.'), models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'approved', 'declined'])), name='parent_requests_status_valid', violation_error_message='A request is pending, approved or declined.'), models.CheckConstraint(condition=models.Q(models.Q(('kind', 'command'), _negated=True), ('command_key__gt', ''), _connector='OR'), name='parent_requests_command_named', violation_error_message='A request for one command names the command.'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'approved'), _negated=True), ('approved_until__isnull', False), _connector='OR'), name='parent_requests_approval_ends', violation_error_message='An approval says until when it holds.')],
                    },
                ),
            ],
        ),
        content_type_to_this_app("parentrequest"),
    ]
