from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Family"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from profiles import signals  # noqa: F401
