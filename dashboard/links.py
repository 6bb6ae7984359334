"""Links from the dashboard's figures to the admin lists behind them, filtered to exactly those rows."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.urls import reverse

from dashboard.ranges import DayRange


def activity_list_url(
    *, start: datetime, end: datetime, member=None, status: str | None = None, q: str = "", refused: bool = False
) -> str:
    params = {"timestamp__gte": _param_time(start), "timestamp__lt": _param_time(end)}
    if refused:
        params["refused"] = "yes"  # activity.admin.RefusedFilter: the rows the "N refused" counts
    if member is not None:
        params["profile"] = member.name  # tonnysite.familyadmin.scoping.ProfileListFilter: by name
    if status:
        params["status__exact"] = status
    if q:
        params["q"] = q
    return f"{changelist_url('activity_activitylog')}?{urlencode(params)}"


@functools.cache
def changelist_url(model: str) -> str:
    """The admin list of `model` ("app_model"), reversed once."""
    return reverse(f"admin:{model}_changelist")


def usage_list_url(*, days: DayRange, member=None) -> str:
    params = {"date__gte": days.first.isoformat(), "date__lt": (days.last + timedelta(days=1)).isoformat()}
    if member is not None:
        params["profile"] = member.name
    return f"{changelist_url('activity_usagestatistic')}?{urlencode(params)}"


def _param_time(moment: datetime) -> str:
    return moment.isoformat(sep=" ")
