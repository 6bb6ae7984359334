from django.apps import AppConfig


class TelemetryConfig(AppConfig):
    name = "telemetry"
    verbose_name = "System"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from telemetry import signals  # noqa: F401
