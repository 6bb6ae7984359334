"""The admin page parental adds (answering a request to a parent), mounted on the family admin site."""

from django.urls import path

from parental.views import decide_view

admin_pages = [path("requests/<uuid:request_id>/decide/", decide_view, name="parent_request_decide")]
