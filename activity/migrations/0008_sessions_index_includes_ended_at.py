"""sessions_profile_started_idx also carries ended_at: a day of a member's sessions is read by index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):

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
    ]
