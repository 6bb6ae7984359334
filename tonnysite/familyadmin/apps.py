from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.apps import AuthConfig


class FamilyAdminConfig(AdminConfig):
    """Django's admin app with the family admin site as the default site."""

    default_site = "tonnysite.familyadmin.site.FamilyAdminSite"


class LoginsConfig(AuthConfig):
    """Django's auth app, named in the family's words wherever the admin names it (breadcrumbs, its page)."""

    verbose_name = "Logins and groups"


class SignInAttemptsConfig(AxesConfig):
    """django-axes, named in the family's words wherever the admin names it."""

    verbose_name = "Sign-in attempts"
