"""usage_statistics gains what the dashboard draws: timed-out commands, commands per local hour,
timings (count, sum, p50 and p95 per component), timing histograms, the day's top commands and
quick-action runs. And sessions_profile_started_idx also carries ended_at, so the policy reads a
day of a member's sessions by index alone.

The existing rows are brought to the truth by the one statement (activity.statistics_sql), so the
new columns are filled for every day that has statistics.
"""

import django.contrib.postgres.fields
from django.db import migrations, models


def statistics_refill(apps, schema_editor):
    from activity.services import usage_statistics_rebuild  # the statement of today: the columns it fills

    UsageStatistic = apps.get_model("activity", "UsageStatistic")
    first = UsageStatistic.objects.order_by("date").values_list("date", flat=True).first()
    if first is not None:
        usage_statistics_rebuild(since=first)


class Migration(migrations.Migration):
    atomic = False  # the rebuild commits a month at a time

    dependencies = [
        ('activity', '0007_sessions_long_idx'),
        ('profiles', '0007_policy_sessions_used'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='session',
            name='sessions_profile_started_idx',
        ),
        migrations.AddIndex(
            model_name='session',
            index=models.Index(fields=['profile', '-started_at'], include=('ended_at',), name='sessions_profile_started_idx'),
        ),
        migrations.AddField(
            model_name='usagestatistic',
            name='hourly_counts',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), blank=True, db_comment='Finished commands per local hour, 0-23', null=True, size=24),
        ),
        migrations.AddField(
            model_name='usagestatistic',
            name='quick_action_counts',
            field=models.JSONField(blank=True, db_comment='quick_action_id: runs (command history)', db_default={}, default=dict, null=True),
        ),
        migrations.AddField(
            model_name='usagestatistic',
            name='timeout_count',
            field=models.IntegerField(db_comment='Of failure_count, the commands that timed out', db_default=0, default=0, null=True),
        ),
        migrations.AddField(
            model_name='usagestatistic',
            name='timing_histograms',
            field=django.contrib.postgres.fields.ArrayField(base_field=django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=20), blank=True, db_comment='[processing, whisper, n8n, tts][bucket]: commands per time bucket (edges in statistics_sql)', null=True, size=4),
        ),
        migrations.AddField(
            model_name='usagestatistic',
            name='timings',
            field=models.JSONField(blank=True, db_comment='{"processing"|"whisper"|"n8n"|"tts": {"count", "sum", "p50", "p95"}}, in ms', db_default={}, default=dict, null=True),
        ),
        migrations.AddField(
            model_name='usagestatistic',
            name='top_commands',
            field=models.JSONField(blank=True, db_comment='The 20 most said commands (lower case): count', db_default={}, default=dict, null=True),
        ),
        migrations.AddConstraint(
            model_name='usagestatistic',
            constraint=models.CheckConstraint(condition=models.Q(('timeout_count__gte', 0)), name='usage_statistics_timeout_count_non_negative', violation_error_message='timeout_count cannot be negative.'),
        ),
        migrations.RunPython(statistics_refill, migrations.RunPython.noop),
    ]
