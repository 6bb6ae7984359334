"""The System health page, registered on the admin site (see FamilyAdminSite.pages_register)."""

from django.urls import path

from operations import views

pages = [path("health/", views.health_page, name="system_health")]
