"""Turn failed sign-ins and lockouts into system events; each receiver is one call to a service."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from telemetry import services


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    services.login_failure_log(credentials=credentials, request=request)


@receiver(user_locked_out)
def login_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    services.login_lockout_log(username=username, ip_address=ip_address, request=request)
