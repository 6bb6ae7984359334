"""Indexes for the admin's system-event filters (severity; resolved events), built CONCURRENTLY."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("telemetry", "0002_log_system_event_and_schema_migrations"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="systemevent",
            index=models.Index(fields=["severity", "-timestamp"], name="system_events_severity_idx"),
        ),
        AddIndexConcurrently(
            model_name="systemevent",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", False)),
                fields=["-timestamp"],
                name="system_events_resolved_idx",
            ),
        ),
    ]
