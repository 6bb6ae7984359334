"""Indexes for the admin: full-text search over activity_logs.command_text, the rare-status
filter, and newest-first sessions.

Built CONCURRENTLY so adding them to a table of millions of rows does not block
the tray's inserts (hence a non-atomic migration).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("activity", "0003_recentactivity_userstatisticssummary"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="activitylog",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "processing", "timeout"])),
                fields=["-timestamp"],
                name="activity_logs_unsettled_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="activitylog",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("command_text", config="english"),
                name="activity_logs_command_fts",
            ),
        ),
        AddIndexConcurrently(
            model_name="session",
            index=models.Index(fields=["-started_at"], name="sessions_started_idx"),
        ),
    ]
