from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The family dashboard and the usage exports: reads over activity, profiles and telemetry."""

    name = "dashboard"
    verbose_name = "Dashboard"

    def ready(self):
        from django.contrib import admin

        from dashboard.home import home_context
        from dashboard.urls import pages

        admin.site.pages_register(*pages)
        admin.site.home_register(home_context)
