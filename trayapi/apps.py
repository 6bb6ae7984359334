from django.apps import AppConfig


class TrayApiConfig(AppConfig):
    """The tray client's API, its device tokens, asking a parent and delivering notifications."""

    name = "trayapi"
    verbose_name = "Tray devices"

    def ready(self):
        from django.contrib import admin

        from trayapi.urls import admin_pages

        admin.site.pages_register(*admin_pages)
