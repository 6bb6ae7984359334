from django.apps import AppConfig


class TrayApiConfig(AppConfig):
    """The tray client's API and its device tokens."""

    name = "trayapi"
    verbose_name = "Tray devices"
