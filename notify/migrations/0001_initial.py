"""Notification channels and their deliveries; changes of a channel are recorded in change_history
with its address as a secret column (that it changed, never what it is), by the trigger function of
history 0002. The worker's bookkeeping (failures, last result, last sent) is not a change.
"""

import django.contrib.postgres.functions
import django.db.models.deletion
import importlib

from django.db import migrations, models

_triggers = importlib.import_module("history.migrations.0002_change_history_triggers")._triggers

HISTORY = _triggers(
    "notification_channels", "INSERT OR UPDATE OR DELETE", "id", "$1->>'name'", "$1->>'profile_id'",
    ["created_at", "failures", "last_result", "last_sent_at"], ["address"], "", [], ["profile_id"],
)  # fmt: skip
HISTORY_REVERSE = (
    "DROP TRIGGER IF EXISTS change_history_notification_channels ON notification_channels; "
    "DROP TRIGGER IF EXISTS change_history_notification_channels_update ON notification_channels;"
)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('profiles', '0011_alter_userprofile_options'),
        ('history', '0004_hide_values_that_became_secret'),
        ('telemetry', '0007_family_calendar_settings'),
    ]

    operations = [
        migrations.CreateModel(
            name='NotificationChannel',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(db_comment="What the member calls it: 'Dad's phone (ntfy)'", max_length=100)),
                ('service', models.CharField(db_comment='The service Apprise read from the address: ntfy, Telegram', max_length=60)),
                ('address', models.TextField(db_comment='The Apprise address, encrypted (tonnysite.secret_box); never shown', verbose_name='address (sealed)')),
                ('enabled', models.BooleanField(db_default=True, default=True, verbose_name='on')),
                ('sends_requests', models.BooleanField(db_default=True, default=True, verbose_name='requests')),
                ('sends_alerts', models.BooleanField(db_default=True, default=True, verbose_name='alerts')),
                ('sends_reports', models.BooleanField(db_default=True, default=True, verbose_name='weekly report')),
                ('failures', models.IntegerField(db_comment='Deliveries given up on since the last one that arrived', db_default=0, default=0)),
                ('last_result', models.CharField(blank=True, db_default='', default='', max_length=300)),
                ('last_sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(db_default=django.contrib.postgres.functions.TransactionNow(), editable=False)),
                ('profile', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='notification_channels', to='profiles.userprofile')),
            ],
            options={
                'verbose_name': 'notification channel',
                'db_table': 'notification_channels',
                'db_table_comment': 'Where each member is told (Apprise addresses, sealed): requests, alerts, weekly report',
                'ordering': ['profile__name', 'name'],
            },
        ),
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('waiting', 'waiting'), ('sent', 'sent'), ('given_up', 'given up')], default='waiting', max_length=10)),
                ('attempts', models.IntegerField(db_default=0, default=0)),
                ('next_attempt_at', models.DateTimeField(db_default=django.contrib.postgres.functions.TransactionNow())),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('result', models.CharField(blank=True, db_comment="The service's answer, in words", default='', max_length=300)),
                ('created_at', models.DateTimeField(db_default=django.contrib.postgres.functions.TransactionNow(), editable=False)),
                ('notification', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='deliveries', to='telemetry.notification')),
                ('channel', models.ForeignKey(on_delete=django.db.models.deletion.DB_CASCADE, related_name='deliveries', to='notify.notificationchannel')),
            ],
            options={
                'verbose_name': 'delivery',
                'verbose_name_plural': 'deliveries',
                'db_table': 'notification_deliveries',
                'db_table_comment': 'Each notification to each channel: when, how it went, retries',
                'ordering': ['-created_at'],
            },
        ),
        migrations.AddConstraint(
            model_name='notificationchannel',
            constraint=models.UniqueConstraint(fields=('profile', 'name'), name='notification_channels_name_unique', violation_error_message='This member has a channel of that name already.'),
        ),
        migrations.AddConstraint(
            model_name='notificationchannel',
            constraint=models.CheckConstraint(condition=models.Q(('failures__gte', 0)), name='notification_channels_failures_non_negative', violation_error_message='Failures cannot be negative.'),
        ),
        migrations.AddIndex(
            model_name='delivery',
            index=models.Index(condition=models.Q(('status', 'waiting')), fields=['next_attempt_at'], name='notification_deliveries_due'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(fields=('notification', 'channel'), name='notification_deliveries_once', violation_error_message='A notification goes to a channel once.'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['waiting', 'sent', 'given_up'])), name='notification_deliveries_status_valid', violation_error_message='A delivery is waiting, sent or given up.'),
        ),
        migrations.RunSQL(HISTORY, HISTORY_REVERSE),
    ]
