"""The usage exports (usage.csv and activity.csv): built by the exports work, see the README."""

from django.http import HttpResponse

from dashboard.ranges import DashboardQuery


def usage_csv_response(*, query: DashboardQuery) -> HttpResponse:
    raise NotImplementedError


def activity_csv_response(*, query: DashboardQuery) -> HttpResponse:
    raise NotImplementedError
