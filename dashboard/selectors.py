"""The dashboard's figures, read from usage_statistics and bounded, index-backed queries."""

from dashboard.ranges import DashboardQuery


def dashboard_figures(*, query: DashboardQuery) -> dict:
    return {}
