from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from activity import signals  # noqa: F401
