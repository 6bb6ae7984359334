from django.contrib.admin.apps import AdminConfig


class FamilyAdminConfig(AdminConfig):
    """Django's admin app with the family admin site as the default site."""

    default_site = "tonnysite.familyadmin.site.FamilyAdminSite"
