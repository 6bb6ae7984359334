from django.apps import AppConfig


class ParentalConfig(AppConfig):
    """The family's rules (limits, hours, lists, pause, calendar), the policy decision and asking a parent."""

    name = "parental"
    verbose_name = "Parental controls"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from parental.urls import admin_pages

        admin.site.pages_register(*admin_pages)
