from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = "Change history"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.backends.signals import connection_created

        from history import signals

        connection_created.connect(signals.actor_on_connect, dispatch_uid="history.actor_on_connect")
