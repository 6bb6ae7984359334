"""Which days and which members a dashboard or an export covers.

A range is a run of whole local days in the family's zone: a preset (today, yesterday, this week,
the last 7 days, this month, last month, this year) or a custom from/to. The GET parameters are
read by a django-filter FilterSet (`range`, `from`, `to`, `member`), so a bad value is a form
error that the views answer with a 400 naming it. A member who is not a family admin always
gets their own profile, whatever `member` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.core.exceptions import BadRequest, PermissionDenied

from profiles.models import UserProfile
from tonnysite.clock import family_zone, local_midnight, local_today
from tonnysite.familyadmin.scoping import profiles_visible_to, viewer_of

PRESETS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "this_week": "This week",
    "last_week": "Last week",
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "this_month": "This month",
    "last_month": "Last month",
    "this_year": "This year",
    "custom": "From – to",
}
DEFAULT_PRESET = "last_7_days"
LONGEST_RANGE_DAYS = 731  # two years: a custom range longer than that is refused
MEMBER_NAME_MAX = 100  # UserProfile.name's max_length: a longer `member` or search is no name
EVERY_CARD = "all"  # ?cards=all: the member cards of every member, the inactive ones too


@dataclass(frozen=True)
class DayRange:
    """Local days `first` to `last`, both included, in `zone`."""

    first: date
    last: date
    preset: str
    zone: ZoneInfo

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def start(self) -> datetime:
        """Local midnight at the start of the first day."""
        return local_midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        """Local midnight after the last day (not included)."""
        return local_midnight(self.last + timedelta(days=1), self.zone)

    @property
    def label(self) -> str:
        """In words: "Last 7 days: Friday 20 – Thursday 26 November 2026"."""
        first, last = self.first, self.last
        if first == last:
            span = f"{first:%A} {first.day} {first:%B %Y}"
        elif first.year != last.year:
            span = f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"
        elif first.month != last.month:
            span = f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
        else:
            span = f"{first.day} – {last.day} {last:%B %Y}"
        return f"{PRESETS[self.preset]}: {span}"


def preset_range(preset: str, *, today: date, zone: ZoneInfo) -> DayRange:
    """The local days of `preset` seen from `today`."""
    if preset == "today":
        first = last = today
    elif preset == "yesterday":
        first = last = today - timedelta(days=1)
    elif preset == "this_week":
        first, last = today - timedelta(days=today.weekday()), today
    elif preset == "last_week":
        first = today - timedelta(days=today.weekday() + 7)
        last = first + timedelta(days=6)
    elif preset == "last_7_days":
        first, last = today - timedelta(days=6), today
    elif preset == "last_30_days":
        first, last = today - timedelta(days=29), today
    elif preset == "this_month":
        first, last = today.replace(day=1), today
    elif preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
    elif preset == "this_year":
        first, last = today.replace(month=1, day=1), today
    else:
        raise ValueError(f"unknown preset {preset!r}")
    return DayRange(first, last, preset, zone)


class _PageFilter(django_filters.Filter):
    field_class = forms.IntegerField


def _filter_class(profiles):
    """The FilterSet of the dashboard's parameters; `from` is a Python keyword, so it is built with type().

    The member is typed by name in a text box (dashboard/member_chooser.js suggests names from
    `member_suggestions`): a list of every member would make the page grow with the family.
    """
    day = {"input_formats": ["%Y-%m-%d"]}
    member_box = forms.TextInput(
        attrs={
            "list": "member-suggestions", "autocomplete": "off", "placeholder": "Whole family", "size": 18,
            "maxlength": MEMBER_NAME_MAX, "spellcheck": "false",
        }
    )  # fmt: skip
    declared = {
        "member": django_filters.ModelChoiceFilter(
            queryset=profiles, to_field_name="name", label="Member", method="_keep", widget=member_box
        ),
        "range": django_filters.ChoiceFilter(choices=list(PRESETS.items()), label="Range", method="_keep"),
        "from": django_filters.DateFilter(label="From", method="_keep", **day),
        "to": django_filters.DateFilter(label="To", method="_keep", **day),
        "cards": django_filters.ChoiceFilter(
            choices=[(EVERY_CARD, "Every member")], label="Member cards", method="_keep"
        ),
        "page": _PageFilter(label="Page of member cards", min_value=1, method="_keep"),
    }

    def _keep(self, queryset, name, value):
        return queryset

    class Meta:
        model = UserProfile
        fields: list[str] = []

    return type("DashboardFilter", (django_filters.FilterSet,), {**declared, "_keep": _keep, "Meta": Meta})


@dataclass(frozen=True)
class DashboardQuery:
    """What a dashboard page or an export shows: the days, the chosen member (or None: all the
    viewer may see) and the members in scope, by name.

    `members` of the whole family is a query not yet read: the dashboard reads the family's figures
    by day (`whole_family`) and only a page of member cards, so it never loads every member.
    """

    days: DayRange
    member: UserProfile | None
    members: Sequence[UserProfile]
    sees_every_profile: bool  # a family admin: may pick any member and sees the family's events
    form: object  # the bound filter form, for the page's controls
    whole_family: bool = False  # every member of the family (a family admin, no member chosen)
    card_page: int = 1  # the page of member cards (1 first)
    every_card: bool = False  # cards of the inactive members too (?cards=all)

    @property
    def member_ids(self) -> list:
        return [member.pk for member in self.members]


def dashboard_query(request, *, today: date | None = None) -> DashboardQuery:
    """Read `range`, `from`, `to` and `member` from the request; BadRequest (400) names what is wrong, and
    PermissionDenied (403) answers a member below family admin who names another member."""
    viewer = viewer_of(request)
    visible = profiles_visible_to(viewer).order_by("name")
    filters = _filter_class(visible)(request.GET, queryset=visible)
    form = filters.form
    if not form.is_valid():
        if "member" in form.errors and not viewer.sees_every_profile:
            # Another member's id (or one that does not exist: the same answer) is not a typo but a
            # page this login may not open.
            raise PermissionDenied(
                "Only a family admin sees another member's dashboard and exports. Open the dashboard "
                "without choosing a member to see your own."
            )
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        raise BadRequest(f"The dashboard cannot show that: {problems}")
    data = form.cleaned_data
    zone = family_zone()
    today = today or local_today()
    first, last = data.get("from"), data.get("to")
    # Days typed in From/To win over a preset: the form keeps the preset it was opened with as a hidden
    # field (so choosing a member alone keeps the range), and that must not silently undo the dates.
    preset = "custom" if first or last else (data.get("range") or DEFAULT_PRESET)
    if preset == "custom":
        if first is None and last is None:
            raise BadRequest("The dashboard cannot show that: a custom range needs a From or a To day.")
        first, last = first or last, last or today
        if first > last:
            raise BadRequest(f"The dashboard cannot show that: From ({first}) is after To ({last}).")
        if (last - first).days + 1 > LONGEST_RANGE_DAYS:
            raise BadRequest(f"The dashboard cannot show that: at most {LONGEST_RANGE_DAYS} days at a time.")
        days = DayRange(first, last, preset, zone)
    else:
        days = preset_range(preset, today=today, zone=zone)
    member = data.get("member")
    if not viewer.sees_every_profile:
        member = viewer.profile
    return DashboardQuery(
        days=days,
        member=member,
        members=[member] if member is not None else visible,
        sees_every_profile=viewer.sees_every_profile,
        form=form,
        whole_family=member is None and viewer.sees_every_profile,
        card_page=data.get("page") or 1,
        every_card=data.get("cards") == EVERY_CARD,
    )


def today_query(request) -> DashboardQuery:
    """Today, for every member the viewer sees (a family admin) or only themselves: the home page's scope."""
    viewer = viewer_of(request)
    visible = list(profiles_visible_to(viewer).order_by("name"))
    days = preset_range("today", today=local_today(), zone=family_zone())
    return DashboardQuery(
        days=days, member=None, members=visible, sees_every_profile=viewer.sees_every_profile, form=None
    )
