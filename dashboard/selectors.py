"""The dashboard's figures: usage_statistics summed over the range in SQL, plus a few bounded reads.

Every figure of the range comes from usage_statistics (one row per member and local day, kept
exact by activity.statistics_sql), read through its (profile, date) key: a year of a family is a
few thousand rows, never a scan of the activity. Only the member cards' "today" (the policy's
own minutes, open session included), the open system events and the last 24 hours read other
tables, each through an index and a bound.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import BadRequest
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from activity.models import ActivityLog, CommandStatus, refusal_reason_words
from activity.statistics_sql import TIMING_BUCKET_EDGES_MS
from dashboard.links import activity_list_url, changelist_url, usage_list_url
from dashboard.ranges import DashboardQuery
from notify.selectors import channels_failing
from parental import rules
from parental.selectors import parent_requests_pending, rules_in_force
from profiles.models import UserProfile
from quickactions.models import QuickAction
from telemetry.models import EventSeverity, SystemEvent
from tonnysite.clock import day_bounds, local_midnight, local_moment

TOP = 10
TIMED_COMPONENTS = ("whisper", "n8n", "tts")
RECENT_ROWS = 15
OPEN_EVENTS = 10
OPEN_EVENTS_COUNTED = 1000  # the page says 1000+ beyond
CARDS_PER_PAGE = 24  # member cards on one page of the whole family's dashboard
SUGGESTIONS = 10  # names the member chooser suggests at a time
NEAR_LIMIT = 0.8  # the home page warns a parent from 80 % of a member's limit today
REFUSED = rules.REFUSED_ERROR_TYPE
# The error types the tray records, in a parent's words; any other is shown as recorded.
ERROR_WORDS = {
    REFUSED: "refused by the parental controls",
    "transcription": "speech not understood (Whisper)",
    "n8n_error": "the n8n workflow failed",
    "device_unreachable": "a device did not answer",
    "tts_error": "no spoken answer (ElevenLabs)",
    "timeout": "timed out",
    "blocked": "blocked",
}


# ---------------------------------------------------------------------------------------------
# Percentiles from summed histograms


def histogram_percentile(histogram: dict[int, int], fraction: float) -> int | None:
    """The value below which `fraction` of the counted values lie, from {lower edge: count},
    interpolated inside its bucket (the last bucket reports its lower edge)."""
    total = sum(histogram.values())
    if not total:
        return None
    edges = list(TIMING_BUCKET_EDGES_MS)
    wanted, seen = fraction * total, 0
    for index, edge in enumerate(edges):
        count = histogram.get(edge, 0)
        if count and seen + count >= wanted:
            if index + 1 == len(edges):
                return edge
            return round(edge + (edges[index + 1] - edge) * (wanted - seen) / count)
        seen += count
    return edges[-1]


# ---------------------------------------------------------------------------------------------
# The figures


@dataclass
class DayFigures:
    day: date | None
    commands: int = 0
    success: int = 0
    failed: int = 0  # failed, not timed out
    timeout: int = 0
    minutes: float = 0.0
    confidence: float | None = None
    timings: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)  # component: (p50, p95)
    links: dict[str, str] = field(default_factory=dict)

    @property
    def success_rate(self) -> float | None:
        return 100.0 * self.success / self.commands if self.commands else None


@dataclass
class MemberCard:
    profile: UserProfile
    today_minutes: float
    today_limit: int | None
    today_rule: str
    week_minutes: float
    week_limit: int | None
    commands: int = 0
    success: int = 0
    refused: int = 0
    refused_reasons: Counter = field(default_factory=Counter)
    over_limit_days: list[date] = field(default_factory=list)
    outside_hours: int = 0
    links: dict[str, str] = field(default_factory=dict)
    paused: bool = False  # a parent's pause covers now: every command is refused
    paused_until: datetime | None = None  # None while paused: until a parent resumes

    @property
    def success_rate(self) -> float | None:
        return 100.0 * self.success / self.commands if self.commands else None

    @property
    def refused_why(self) -> list[tuple[str, int]]:
        """(reason in words, commands), most first (a template cannot call most_common on a Counter)."""
        return self.refused_reasons.most_common()

    @property
    def today_percent(self) -> int | None:
        return None if not self.today_limit else min(100, round(100 * self.today_minutes / self.today_limit))

    @property
    def week_percent(self) -> int | None:
        return None if not self.week_limit else min(100, round(100 * self.week_minutes / self.week_limit))


@dataclass
class CardPage:
    """Which members' cards a page shows: one page of the family's active members (or of every member)."""

    number: int  # 1 first
    pages: int
    members: int  # the members counted here (active ones only, unless every_card)
    inactive: int  # the family's inactive members (shown only with every_card)
    every_card: bool

    @property
    def first(self) -> int:
        return min(self.members, (self.number - 1) * CARDS_PER_PAGE + 1)

    @property
    def last(self) -> int:
        return min(self.members, self.number * CARDS_PER_PAGE)


@dataclass
class DashboardFigures:
    days: list[DayFigures]
    members: list[MemberCard]
    card_page: CardPage | None  # None: one member's dashboard, a single card
    heatmap: list[list[int]]  # [weekday 0 = Monday][hour]
    top_commands: list[tuple[str, int, str]]  # text, count, link
    top_errors: list[tuple[str, int]]
    devices: list[tuple[str, int]]
    quick_actions: list[tuple[str, str, int]]  # display name, id, count
    open_events: list[SystemEvent] | None  # None: not the viewer's to see
    open_event_count: int
    recent: list[ActivityLog]
    timing_source: str  # "exact" or "histograms"
    links: dict[str, str]
    total: DayFigures  # the whole range (day: None)

    @property
    def heatmap_max(self) -> int:
        return max((n for row in self.heatmap for n in row), default=0)


# Where the charted components sit in timing_histograms (1 processing, 2 whisper, 3 n8n, 4 tts).
_HISTOGRAM_POSITIONS = {"whisper": 2, "n8n": 3, "tts": 4}
_SCOPE = "u.profile_id = ANY(%(members)s) AND u.date BETWEEN %(first)s AND %(last)s"
# The whole family's days: dashboard_family_days (usage_statistics summed over every member, a row a day,
# kept by triggers: dashboard/migrations/0001_family_days.py), so the family's size costs nothing here.
_FAMILY_SCOPE = "u.date BETWEEN %(first)s AND %(last)s"


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def dashboard_figures(*, query: DashboardQuery, now: datetime | None = None) -> DashboardFigures:
    """Everything the dashboard shows for `query` (days, members in scope) at `now`.

    In one read-only transaction with PostgreSQL's JIT off: the JSON set-returning functions make
    the planner expect millions of rows, and compiling for them cost ten times the query itself.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('jit', 'off', true)")
        return _figures(query, now or timezone.now())


@dataclass
class HomeFigures:
    """What the family's home page shows: what needs a parent, then each member's day."""

    for_parent: bool  # a family admin's home: the whole family, and what needs them
    cards: list[MemberCard]
    requests: list
    paused: list[MemberCard]
    over_limit: list[MemberCard]
    near_limit: list[MemberCard]
    open_errors: int
    errors_link: str
    failing_channels: list  # notification channels whose last messages could not be delivered


def home_figures(*, query: DashboardQuery, now: datetime | None = None) -> HomeFigures:
    """Today's cards of the members in `query`; for a family admin also what waits for them: requests,
    paused members, members over or near (NEAR_LIMIT of) today's limit, unresolved errors and notification
    channels that keep failing."""
    members = list(query.members)
    cards = _member_cards(query, members, now or timezone.now()) if members else []
    admin_view = query.sees_every_profile

    def over(card: MemberCard) -> bool:
        return card.today_limit is not None and card.today_minutes >= card.today_limit

    return HomeFigures(
        for_parent=admin_view,
        cards=cards,
        requests=list(parent_requests_pending()) if admin_view else [],
        paused=[card for card in cards if card.paused] if admin_view else [],
        over_limit=[card for card in cards if over(card)],
        near_limit=[
            card
            for card in cards
            if not over(card) and card.today_limit and card.today_minutes >= NEAR_LIMIT * card.today_limit
        ],  # fmt: skip
        open_errors=_open_errors_counted() if admin_view else 0,
        errors_link=f"{changelist_url('telemetry_systemevent')}?resolution=attention",
        failing_channels=list(channels_failing()) if admin_view else [],
    )


def _figures(query: DashboardQuery, now: datetime) -> DashboardFigures:
    days_range = query.days
    scope = _FAMILY_SCOPE if query.whole_family else _SCOPE
    params = {"first": days_range.first, "last": days_range.last}
    if not query.whole_family:
        params["members"] = query.member_ids
    days, heatmap = _day_figures(query, scope, params)
    ranked = _ranked("dashboard_family_days" if query.whole_family else "usage_statistics", scope, params)
    names = dict(
        QuickAction.objects.filter(pk__in=[key for key, _ in ranked["quick_action"]]).values_list("pk", "display_name")
    )
    start, end = days_range.start, days_range.end
    member = query.member
    events, event_count = _open_events(query)
    recent = _recent(query, now)
    card_page, card_members = member_cards_page(query)
    weighted = [(day.confidence, day.commands) for day in days if day.confidence is not None]
    answered = sum(n for _, n in weighted)
    total = DayFigures(
        None,
        commands=sum(day.commands for day in days),
        success=sum(day.success for day in days),
        failed=sum(day.failed for day in days),
        timeout=sum(day.timeout for day in days),
        minutes=sum(day.minutes for day in days),
        confidence=sum(c * n for c, n in weighted) / answered if answered else None,
    )
    return DashboardFigures(
        total=total,
        days=days,
        members=_member_cards(query, card_members, now) if card_members else [],
        card_page=card_page,
        heatmap=heatmap,
        top_commands=[
            (text, n, activity_list_url(start=start, end=end, member=member, q=text)) for text, n in ranked["command"]
        ],
        top_errors=[(ERROR_WORDS.get(name, name), n) for name, n in ranked["error"]],
        devices=ranked["device"],
        quick_actions=[(names.get(key, key), key, n) for key, n in ranked["quick_action"]],
        open_events=events,
        open_event_count=event_count,
        recent=recent,
        timing_source="histograms" if _several(query) else "exact",
        links={
            "all": activity_list_url(start=start, end=end, member=member),
            "success": activity_list_url(start=start, end=end, member=member, status=CommandStatus.SUCCESS),
            "failed": activity_list_url(start=start, end=end, member=member, status=CommandStatus.FAILED),
            "timeout": activity_list_url(start=start, end=end, member=member, status=CommandStatus.TIMEOUT),
            "usage": usage_list_url(days=days_range, member=member),
            "events": f"{reverse('admin:telemetry_systemevent_changelist')}?resolution=attention",
            "recent": activity_list_url(start=now - timedelta(hours=24), end=now + timedelta(seconds=1), member=member),
        },
    )


def _several(query: DashboardQuery) -> bool:
    """Whether the figures add up several members (the whole family), or are one member's own."""
    return query.whole_family or len(query.member_ids) != 1


def member_cards_page(query: DashboardQuery) -> tuple[CardPage | None, Sequence]:
    """The page of member cards `query` asks for and its members, in name order: the family's active
    members (every member with ?cards=all), CARDS_PER_PAGE at a time, in two queries whatever the
    family's size. One member's dashboard has their card alone (no page)."""
    if not query.whole_family:
        return None, list(query.members)
    counted = query.members.aggregate(every=Count("pk"), inactive=Count("pk", filter=Q(is_active=False)))
    shown = query.members if query.every_card else query.members.exclude(is_active=False)
    total = counted["every"] if query.every_card else counted["every"] - counted["inactive"]
    pages = max(1, math.ceil(total / CARDS_PER_PAGE))
    if query.card_page > pages:
        raise BadRequest(
            f"The dashboard cannot show that: Page of member cards: there {'is' if pages == 1 else 'are'} "
            f"only {pages} page{'' if pages == 1 else 's'} of member cards."
        )
    start = (query.card_page - 1) * CARDS_PER_PAGE
    members = list(shown.order_by("name")[start : start + CARDS_PER_PAGE])
    page = CardPage(
        number=query.card_page, pages=pages, members=total, inactive=counted["inactive"], every_card=query.every_card
    )
    return page, members


def member_names_suggested(*, profiles, text: str) -> list[str]:
    """Up to SUGGESTIONS names of `profiles` (the ones the viewer may see) containing `text` (any
    case), those starting with it first: the member chooser's suggestions."""
    names = profiles.filter(name__icontains=text) if text else profiles
    starts_first = Case(When(name__istartswith=text, then=Value(0)), default=Value(1), output_field=IntegerField())
    return list(names.order_by(starts_first, "name").values_list("name", flat=True)[:SUGGESTIONS])


def _day_figures(query: DashboardQuery, scope: str, params: dict) -> tuple[list[DayFigures], list[list[int]]]:
    """The range's days and its busy-hours heat map, from one pass over its usage_statistics rows
    (with, for several members, the sums of the timing histograms)."""
    zone = query.days.zone
    by_day = {day: DayFigures(day) for day in query.days.days}
    heatmap = [[0] * 24 for _ in range(7)]
    buckets = len(TIMING_BUCKET_EDGES_MS)
    merged = _several(query)
    hours = ", ".join(f"coalesce(sum(u.hourly_counts[{hour}]), 0)::int" for hour in range(1, 25))
    histograms = ", ".join(
        f"sum(u.timing_histograms[{position}][{bucket}])::int"
        for position in _HISTOGRAM_POSITIONS.values()
        for bucket in range(1, buckets + 1)
    )
    rows = (
        _family_day_rows(params)
        if query.whole_family
        else _rows(
            f"""SELECT u.date, sum(u.command_count)::int, sum(u.success_count)::int,
                   sum(u.failure_count - u.timeout_count)::int, sum(u.timeout_count)::int,
                   sum(u.total_duration_seconds)::bigint,
                   sum(u.average_confidence * u.command_count) FILTER (WHERE u.average_confidence IS NOT NULL)
                   / nullif(sum(u.command_count) FILTER (WHERE u.average_confidence IS NOT NULL), 0),
                   {hours}{", " + histograms if merged else ""}
            FROM usage_statistics u WHERE {scope} GROUP BY 1""",
            params,
        )
    )
    for day, commands, success, failed, timeout, seconds, confidence, *sums in rows:
        figures = by_day[day]
        figures.commands, figures.success, figures.failed, figures.timeout = commands, success, failed, timeout
        figures.minutes = seconds / 60
        figures.confidence = None if confidence is None else float(confidence)
        heatmap[day.weekday()] = [a + b for a, b in zip(heatmap[day.weekday()], sums[:24], strict=True)]
        for n, component in enumerate(_HISTOGRAM_POSITIONS if merged else ()):
            counts = sums[24 + n * buckets : 24 + (n + 1) * buckets]
            if any(counts):
                histogram = dict(zip(TIMING_BUCKET_EDGES_MS, (count or 0 for count in counts), strict=True))
                figures.timings[component] = (
                    histogram_percentile(histogram, 0.5),
                    histogram_percentile(histogram, 0.95),
                )
    if not merged:
        for day, component, p50, p95 in _rows(
            f"""SELECT u.date, t.key, (t.value->>'p50')::int, (t.value->>'p95')::int
                FROM usage_statistics u, jsonb_each(u.timings) t WHERE {scope}""",
            params,
        ):
            by_day[day].timings[component] = (p50, p95)
    member = query.member
    for day, figures in by_day.items():
        start, end = day_bounds(day, zone)
        every = activity_list_url(start=start, end=end, member=member)
        figures.links = {"all": every} | {
            status: f"{every}&status__exact={status}"
            for status in (CommandStatus.SUCCESS, CommandStatus.FAILED, CommandStatus.TIMEOUT)
        }
    return list(by_day.values()), heatmap


def _family_day_rows(params: dict) -> list[tuple]:
    """The whole family's days from dashboard_family_days, as _day_figures reads them: date, commands,
    successful, failed, timed out, seconds, confidence, 24 hours, then the charted components' histograms."""
    buckets = len(TIMING_BUCKET_EDGES_MS)
    charted = [(position - 1) * buckets + n for position in _HISTOGRAM_POSITIONS.values() for n in range(buckets)]
    rows = []
    for *figures, hours, histograms in _rows(
        f"""SELECT u.date, u.command_count, u.success_count, u.failed_count, u.timeout_count, u.duration_seconds,
                   u.confidence_sum / nullif(u.confidence_commands, 0), u.hourly_counts, u.timing_histograms
            FROM dashboard_family_days u WHERE {_FAMILY_SCOPE} AND u.member_days > 0""",
        params,
    ):
        hours = (hours + [0] * 24)[:24]
        cells = [histograms[cell] if cell < len(histograms) else 0 for cell in charted]
        rows.append((*figures, *hours, *cells))
    return rows


def _ranked(table: str, scope: str, params: dict) -> dict[str, list[tuple[str, int]]]:
    """The range's top commands, errors, devices and quick actions, most used first, from `table`
    (usage_statistics, or the whole family's dashboard_family_days: the same four maps)."""
    ranked = defaultdict(list)
    rows = _rows(
        f"""SELECT e.kind, e.key, sum(e.n)::int
            FROM {table} u
            CROSS JOIN LATERAL (
                SELECT 'command', key, value::int FROM jsonb_each_text(u.top_commands)
                UNION ALL SELECT 'error', key, value::int FROM jsonb_each_text(u.error_types)
                UNION ALL SELECT 'device', key, value::int FROM jsonb_each_text(u.device_breakdown)
                UNION ALL SELECT 'quick_action', key, value::int FROM jsonb_each_text(u.quick_action_counts)
            ) AS e(kind, key, n)
            WHERE {scope} GROUP BY 1, 2""",
        params,
    )
    for kind, key, count in sorted(rows, key=lambda row: (row[0], -row[2], row[1])):
        if len(ranked[kind]) < TOP:
            ranked[kind].append((key, count))
    return ranked


def _member_cards(query: DashboardQuery, members: list[UserProfile], now: datetime) -> list[MemberCard]:
    """Per member of `members`: today and this week against their limits, and what broke a rule in the
    range. Each day is judged by the rules in force that day (parental.rules.in_force), not today's."""
    zone = query.days.zone
    today = now.astimezone(zone).date()
    week_start = today - timedelta(days=today.weekday())
    in_force = rules_in_force(members=members, since=local_midnight(min(week_start, query.days.first), zone), now=now)
    member_ids = [member.pk for member in members]
    earlier = defaultdict(float)  # minutes of this week before today, by member
    for pid, seconds in _rows(
        """SELECT u.profile_id, sum(u.total_duration_seconds)::bigint FROM usage_statistics u
           WHERE u.profile_id = ANY(%(members)s) AND u.date >= %(week)s AND u.date < %(today)s GROUP BY 1""",
        {"members": member_ids, "week": week_start, "today": today},
    ):
        earlier[pid] = seconds / 60
    # Today's minutes as the policy counts them (policy_sessions_used: an open session counts up
    # to its last command plus the idle allowance, never to "now" while the tray is silent).
    used_today = dict(
        _rows(
            """SELECT m.id, used.seconds FROM unnest(%(members)s::uuid[]) AS m(id)
               CROSS JOIN LATERAL policy_sessions_used(m.id, %(day_start)s, %(now)s) AS used""",
            {"members": member_ids, "day_start": local_midnight(today, zone), "now": now},
        )
    )
    cards = {}
    for profile in members:
        controls = in_force.controls_on(profile.pk, today)
        used = max(0.0, float(used_today.get(profile.pk) or 0)) / 60
        limit, key = in_force.limit_on(profile.pk, today)
        limits = [in_force.limit_on(profile.pk, week_start + timedelta(days=n))[0] for n in range(7)]
        cards[profile.pk] = MemberCard(
            profile=profile,
            today_minutes=used,
            today_limit=limit,
            today_rule=rules.limit_rule(limit, key, in_force.day_type(today)[1]),
            week_minutes=earlier[profile.pk] + used,
            week_limit=None if any(value is None for value in limits) else sum(limits),
            paused=controls.pause is not None and controls.pause.covers(now),
            paused_until=controls.pause.until.astimezone(zone) if controls.pause and controls.pause.until else None,
        )
    days = query.days
    scope = {"members": member_ids, "first": days.first, "last": days.last}
    for pid, commands, success, refused in _rows(
        f"""SELECT u.profile_id, sum(u.command_count)::int, sum(u.success_count)::int,
                   coalesce(sum((u.error_types->>'{REFUSED}')::int), 0)::int
            FROM usage_statistics u WHERE {_SCOPE} GROUP BY 1""",
        scope,
    ):
        cards[pid].commands, cards[pid].success, cards[pid].refused = commands or 0, success or 0, refused
    # Days over the limit and commands outside the allowed hours: only members with time rules
    # in the range have them, and only their days are read one by one.
    ruled = [
        pid
        for pid in cards
        if any(c.has_time_rules for c in in_force.controls_during(pid, days.start, min(days.end, now)))
    ]
    masks: dict[tuple, list[bool]] = {}
    for pid, day, seconds, hourly in (
        _rows(
            f"""SELECT u.profile_id, u.date, u.total_duration_seconds, u.hourly_counts
            FROM usage_statistics u WHERE {_SCOPE}""",
            {**scope, "members": ruled},
        )
        if ruled
        else []
    ):
        card = cards[pid]
        limit, _ = in_force.limit_on(pid, day)
        if limit is not None and (seconds or 0) > limit * 60:
            card.over_limit_days.append(day)
        if hourly:
            outside = _hours_outside(pid, day, in_force, masks)
            card.outside_hours += sum(n for n, out in zip(hourly, outside, strict=False) if out)
    # Why commands were refused: the refusals are few, read through the GIN index on metadata.
    refused_by = [pid for pid, card in cards.items() if card.refused]
    for pid, reason, count in (
        _rows(
            """SELECT a.profile_id, a.metadata->'policy'->>'reason', count(*)::int FROM activity_logs a
           WHERE a.metadata @> %(refused)s AND a.profile_id = ANY(%(members)s)
             AND a.timestamp >= %(start)s AND a.timestamp < %(end)s GROUP BY 1, 2""",
            {"refused": f'{{"error_type": "{REFUSED}"}}', "members": refused_by, "start": days.start, "end": days.end},
        )
        if refused_by
        else []
    ):
        cards[pid].refused_reasons[refusal_reason_words(reason, cards[pid].profile.name)] += count
    for card in cards.values():
        card.over_limit_days.sort()
        card.links = {
            "activity": activity_list_url(start=days.start, end=days.end, member=card.profile),
            "failed": activity_list_url(
                start=days.start, end=days.end, member=card.profile, status=CommandStatus.FAILED
            ),
            "refused": activity_list_url(start=days.start, end=days.end, member=card.profile, refused=True),
            "usage": usage_list_url(days=days, member=card.profile),
            "controls": reverse("admin:profiles_userprofile_parental_controls", args=[card.profile.pk]),
        }
    return list(cards.values())


def _clock_changes(day: date, zone) -> bool:
    start = local_midnight(day, zone)
    return start.utcoffset() != (start + timedelta(hours=23)).utcoffset()


def _hours_outside(pid, day: date, in_force: rules.RulesInForce, masks: dict) -> list[bool]:
    """For each hour of `day`, whether it lies outside the allowed hours of every rule in force during it."""
    zone = in_force.zone
    start, end = day_bounds(day, zone)
    versions = in_force.controls_during(pid, start, end)
    if len(versions) == 1:
        return _hours_mask(day, versions[0], in_force, masks)
    hours = [local_moment(day, 60 * hour, zone) for hour in range(25)]
    per_version = {id(v): _hours_mask(day, v, in_force, masks) for v in versions}
    return [
        all(per_version[id(v)][hour] for v in in_force.controls_during(pid, hours[hour], hours[hour + 1]))
        for hour in range(24)
    ]


def _hours_mask(day: date, controls, in_force: rules.RulesInForce, masks: dict) -> list[bool]:
    """For each hour of `day`, whether it lies wholly outside the hours `controls` allow: commands there
    are counted as outside (a lower bound: an hour the windows partly cover is not). The mask depends
    on the day's kind, the day before's (a window across midnight), a clock change and the rule: one
    mask per such combination, not per day."""
    kind = in_force.day_type(day)[0]
    if controls.windows_for(kind) is None:
        return [False] * 24
    zone = in_force.zone
    key = (id(controls), kind, in_force.day_type(day - timedelta(days=1))[0], _clock_changes(day, zone))
    if key not in masks:
        spans = rules.allowed_spans(day, controls, in_force.calendar_on(day), zone)
        outside = []
        for hour in range(24):
            start = local_moment(day, 60 * hour, zone)
            end = start + timedelta(hours=1)
            outside.append(not any(low < end and high > start for low, high in spans))
        masks[key] = outside
    return masks[key]


def _open_events(query: DashboardQuery) -> tuple[list[SystemEvent] | None, int]:
    """Unresolved error and critical events: the family admin's to see (of every member)."""
    if not query.sees_every_profile:
        return None, 0
    events = _open_errors().select_related("profile").order_by("-timestamp")[:OPEN_EVENTS]
    return list(events), _open_errors_counted()


def _open_errors():
    return SystemEvent.objects.filter(
        resolved_at__isnull=True, severity__in=[EventSeverity.ERROR, EventSeverity.CRITICAL]
    )


def _open_errors_counted() -> int:
    # Counted up to a bound: a page needs "more than 999", not a count of a big backlog.
    return _open_errors().order_by()[:OPEN_EVENTS_COUNTED].count()


def _recent(query: DashboardQuery, now: datetime) -> list[ActivityLog]:
    """The latest commands of the last 24 hours (the page links to all of them)."""
    rows = ActivityLog.objects.filter(timestamp__gte=now - timedelta(hours=24), timestamp__lte=now)
    rows = rows.filter(profile__isnull=False) if query.whole_family else rows.filter(profile_id__in=query.member_ids)
    return list(rows.select_related("profile").order_by("-timestamp")[:RECENT_ROWS])
