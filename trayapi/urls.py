"""The admin page trayapi adds (answering a request to a parent); the API itself is mounted in tonnysite.urls."""

from django.urls import path

from trayapi.admin import decide_view

admin_pages = [path("requests/<uuid:request_id>/decide/", decide_view, name="parent_request_decide")]
