from django.apps import AppConfig


class NotifyConfig(AppConfig):
    """How members are told: their notification channels (Apprise addresses) and every delivery to them."""

    name = "notify"
    verbose_name = "Notification channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib import admin

        from notify.pages import may_have_channels
        from notify.urls import pages

        admin.site.pages_register(*pages)
        admin.site.index_link_register(
            section="Settings", name="Your notifications", url_name="notification_channels", shown_to=may_have_channels
        )
