from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from trayapi.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

handler400 = "tonnysite.errors.bad_request"
handler403 = "tonnysite.errors.permission_denied"
handler404 = "tonnysite.errors.page_not_found"
handler500 = "tonnysite.errors.server_error"
