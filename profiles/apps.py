from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = "Family"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from profiles import signals

        post_migrate.connect(signals.role_groups_after_migrate, sender=self)
