from django.apps import AppConfig


class QuickActionsConfig(AppConfig):
    name = "quickactions"
    verbose_name = "Quick actions"
    default_auto_field = "django.db.models.BigAutoField"
