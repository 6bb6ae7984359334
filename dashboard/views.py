"""The dashboard page and the usage exports: thin adapters over dashboard.selectors and dashboard.exports."""

from django.contrib import admin
from django.template.response import TemplateResponse

from dashboard import exports, selectors
from dashboard.ranges import PRESETS, dashboard_query


def dashboard_page(request):
    """/admin/dashboard/: usage at a glance for the chosen range and member(s)."""
    query = dashboard_query(request)
    context = {
        **admin.site.each_context(request),
        "title": "Dashboard",
        "query": query,
        "presets": PRESETS,
        "dashboard": selectors.dashboard_figures(query=query),
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context)


def usage_csv(request):
    """/admin/dashboard/usage.csv: one row per member per local day of the range."""
    return exports.usage_csv_response(query=dashboard_query(request))


def activity_csv(request):
    """/admin/dashboard/activity.csv: every command of the range."""
    return exports.activity_csv_response(query=dashboard_query(request))
