"""The dashboard page and the usage exports: thin adapters over dashboard.selectors and dashboard.exports."""

from django.contrib import admin
from django.template.response import TemplateResponse

from dashboard import charts, exports, selectors
from dashboard.ranges import PRESETS, dashboard_query
from parental.selectors import parent_requests_pending
from profiles.models import PermissionLevel
from tonnysite.familyadmin.scoping import viewer_of

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def dashboard_page(request):
    """/admin/dashboard/: usage at a glance for the chosen range and member(s)."""
    query = dashboard_query(request)
    figures = selectors.dashboard_figures(query=query)
    top = figures.heatmap_max
    heatmap = [
        (WEEKDAYS[weekday], [(hour, count, charts.heat_level(count, top)) for hour, count in enumerate(row)])
        for weekday, row in enumerate(figures.heatmap)
    ]
    params = request.GET.copy()
    # How long Whisper, n8n and ElevenLabs took is for the grown-ups who run Tonny, not for a kid.
    timings = viewer_of(request).role != PermissionLevel.KID
    context = {
        **admin.site.each_context(request),
        "title": f"Dashboard: {query.member.name}" if query.member else "Dashboard: the whole family",
        "query": query,
        "presets": [(key, label, _with(params, range=key, drop=("from", "to"))) for key, label in PRESETS.items()],
        "figures": figures,
        "commands_chart": charts.commands_chart(figures.days),
        "timing_charts": [
            (charts.COMPONENT_NAMES[c], charts.timing_chart(figures.days, c), c) for c in selectors.TIMED_COMPONENTS
        ]
        if timings
        else [],
        "days_table": charts.days_table(figures.days),
        "timings_table": charts.timings_table(figures.days, selectors.TIMED_COMPONENTS) if timings else "",
        "heatmap": heatmap,
        "hours": range(24),
        "export_query": _with(params, drop=()),
        "parent_requests": parent_requests_pending() if query.sees_every_profile else [],
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context)


def _with(params, *, drop: tuple[str, ...], **values) -> str:
    """The query string of `params` with `values` set and `drop` removed."""
    params = params.copy()
    for key in drop:
        params.pop(key, None)
    for key, value in values.items():
        params[key] = value
    return params.urlencode()


def usage_csv(request):
    """/admin/dashboard/usage.csv: one row per member per local day of the range."""
    return exports.usage_csv_response(query=dashboard_query(request))


def activity_csv(request):
    """/admin/dashboard/activity.csv: every command of the range."""
    return exports.activity_csv_response(query=dashboard_query(request))
