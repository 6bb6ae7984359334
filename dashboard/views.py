"""The dashboard page and the usage exports: thin adapters over dashboard.selectors and dashboard.exports."""

from django.contrib import admin
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.template.response import TemplateResponse

from dashboard import charts, exports, selectors
from dashboard.ranges import EVERY_CARD, MEMBER_NAME_MAX, PRESETS, dashboard_query
from parental.selectors import parent_requests_pending
from profiles.models import PermissionLevel
from tonnysite.familyadmin.scoping import profiles_visible_to, viewer_of

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
        "export_query": _with(params, drop=("page", "cards")),
        "card_links": _card_links(params, figures.card_page),
        "parent_requests": parent_requests_pending() if query.sees_every_profile else [],
    }
    return TemplateResponse(request, "admin/dashboard/index.html", context)


def _card_links(params, page: selectors.CardPage | None) -> dict[str, str]:
    """The query strings of the member cards' pages: previous, next, every member, the active ones only."""
    if page is None:
        return {}
    links = {}
    if page.number > 1:
        links["previous"] = _with(params, drop=(), page=page.number - 1)
    if page.number < page.pages:
        links["next"] = _with(params, drop=(), page=page.number + 1)
    if page.every_card:
        links["active"] = _with(params, drop=("page", "cards"))
    elif page.inactive:
        links["every"] = _with(params, drop=("page",), cards=EVERY_CARD)
    return links


def member_suggestions(request):
    """/admin/dashboard/members.json?q=al: the names the member chooser suggests, of the members the
    signed-in member may see (a kid: only themself), at most selectors.SUGGESTIONS."""
    text = request.GET.get("q", "")
    if len(request.GET.getlist("q")) > 1 or len(text) > MEMBER_NAME_MAX or "\x00" in text:
        raise BadRequest(f"The member suggestions need one q of at most {MEMBER_NAME_MAX} characters.")
    names = selectors.member_names_suggested(profiles=profiles_visible_to(viewer_of(request)), text=text.strip())
    return JsonResponse({"members": names})


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
