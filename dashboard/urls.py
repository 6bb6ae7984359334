"""The dashboard's pages, registered on the admin site (see FamilyAdminSite.pages_register)."""

from django.urls import path

from dashboard import views

pages = [
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/usage.csv", views.usage_csv, name="dashboard_usage_csv"),
    path("dashboard/activity.csv", views.activity_csv, name="dashboard_activity_csv"),
    path("dashboard/members.json", views.member_suggestions, name="dashboard_members"),
]
