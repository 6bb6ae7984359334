"""The Notifications page, registered on the admin site (see FamilyAdminSite.pages_register)."""

from django.urls import path

from notify.pages import channels_page

pages = [path("notifications/", channels_page, name="notification_channels")]
