"""The weekly report (issue 23): each member's week, Monday to Sunday in the family's zone, in a parent's words.

`family_report` reads the figures: minutes per day from usage_statistics against the limit in force that
day (`parental.selectors.rules_in_force`, so a limit changed mid-week judges each day by its own rule),
refusals (the count from usage_statistics, the reasons from the refused commands' records), requests to a
parent and how they were answered, and the week's three most said commands. `report_text` is the short
text for a phone; `report_email` renders the e-mail (HTML and plain text). Reads only: sending is
`dashboard.services.family_report_send`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count
from django.db.models.fields.json import KT
from django.template.loader import render_to_string
from django.utils import timezone

from activity.models import REFUSED_ERROR_TYPE, ActivityLog, UsageStatistic, refusal_reason_words
from parental.models import ParentRequest, RequestStatus
from parental.selectors import rules_in_force
from profiles.models import PermissionLevel, UserProfile
from tonnysite.clock import local_midnight

TOP_COMMANDS = 3
# Kids first: theirs is the week a parent reads the report for.
ROLE_ORDER = (PermissionLevel.KID, PermissionLevel.GUEST, PermissionLevel.USER, PermissionLevel.ADMIN)
TIMES = {1: "once", 2: "twice"}


def minutes_words(minutes: int) -> str:
    """45 → "45 min", 190 → "3 h 10 min", 120 → "2 h"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def days_words(days: list[str]) -> str:
    """["Friday", "Saturday", "Sunday"] → "Friday, Saturday and Sunday"."""
    return days[0] if len(days) == 1 else f"{', '.join(days[:-1])} and {days[-1]}"


def iso_week(monday: date) -> str:
    """The ISO week of `monday`: "2026-W47"."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DayFigures:
    day: date
    seconds: int
    limit: int | None  # minutes allowed that day by the rules in force that day; None: no limit

    @property
    def weekday(self) -> str:
        return self.day.strftime("%A")

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.seconds > self.limit * 60


@dataclass(frozen=True)
class MemberWeek:
    name: str
    permission_level: str
    days: list[DayFigures]  # Monday to Sunday
    refused: int = 0
    refused_why: list[tuple[str, int]] = field(default_factory=list)  # (reason in words, count), most first
    requests: dict[str, int] = field(default_factory=dict)  # RequestStatus -> count
    top_commands: list[tuple[str, int]] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return round(sum(day.seconds for day in self.days) / 60)

    @property
    def limit(self) -> int | None:
        """The week's allowance: the sum of the days' limits, or None when a day had none."""
        limits = [day.limit for day in self.days]
        return None if any(limit is None for limit in limits) else sum(limits)

    @property
    def minutes_text(self) -> str:
        return minutes_words(self.minutes)

    @property
    def limit_text(self) -> str:
        return "no weekly limit" if self.limit is None else minutes_words(self.limit)

    @property
    def over_days(self) -> list[DayFigures]:
        return [day for day in self.days if day.over]

    @property
    def asked(self) -> int:
        return sum(self.requests.values())


@dataclass(frozen=True)
class FamilyReport:
    week: date  # the Monday
    members: list[MemberWeek]

    @property
    def sunday(self) -> date:
        return self.week + timedelta(days=6)

    @property
    def iso_week(self) -> str:
        return iso_week(self.week)

    @property
    def span(self) -> str:
        """ "23–29 Nov", or "30 Nov – 6 Dec" across two months."""
        first, last = self.week, self.sunday
        if first.month == last.month:
            return f"{first.day}–{last.day} {last:%b}"
        return f"{first.day} {first:%b} – {last.day} {last:%b}"

    @property
    def title(self) -> str:
        return f"The family's week: {self.span}"


def family_report(*, week: date) -> FamilyReport:
    """Every member's week from Monday `week` to Sunday, kids first (a handful of queries, none per member)."""
    if week.weekday() != 0:
        raise ValueError(f"A week starts on a Monday; {week.isoformat()} is a {week:%A}.")
    days = [week + timedelta(days=offset) for offset in range(7)]
    start, end = local_midnight(week), local_midnight(week + timedelta(days=7))
    members = sorted(
        UserProfile.objects.only("id", "name", "permission_level", "usage_limits"),
        key=lambda member: (ROLE_ORDER.index(member.permission_level), member.name.casefold()),
    )
    ids = [member.pk for member in members]
    statistics = {
        (row.profile_id, row.date): row
        for row in UsageStatistic.objects.filter(profile_id__in=ids, date__gte=days[0], date__lte=days[-1]).only(
            "profile_id", "date", "total_duration_seconds", "error_types", "top_commands"
        )
    }
    in_force = rules_in_force(members=members, since=start, now=timezone.now())
    reasons: dict = defaultdict(list)
    for pid, reason, count in (
        ActivityLog.objects.filter(
            profile_id__in=ids,
            metadata__contains={"error_type": REFUSED_ERROR_TYPE},
            timestamp__gte=start,
            timestamp__lt=end,
        )
        .values_list("profile_id", KT("metadata__policy__reason"))
        .annotate(count=Count("id"))
        .order_by()
    ):
        reasons[pid].append((reason, count))
    requests: dict = defaultdict(dict)
    for pid, status, count in (
        ParentRequest.objects.filter(profile_id__in=ids, created_at__gte=start, created_at__lt=end)
        .values_list("profile_id", "status")
        .annotate(count=Count("id"))
        .order_by()
    ):
        requests[pid][status] = count
    return FamilyReport(
        week=week,
        members=[
            _member_week(member, days, statistics, in_force, reasons[member.pk], requests[member.pk])
            for member in members
        ],
    )


def _member_week(member, days, statistics, in_force, reasons, requests) -> MemberWeek:
    rows = [statistics.get((member.pk, day)) for day in days]
    commands: Counter = Counter()
    refused = 0
    for row in rows:
        if row is not None:
            commands.update({text: int(count) for text, count in (row.top_commands or {}).items()})
            refused += int((row.error_types or {}).get(REFUSED_ERROR_TYPE) or 0)
    why: Counter = Counter()
    for reason, count in reasons:
        why[refusal_reason_words(reason, member.name)] += count
    return MemberWeek(
        name=member.name,
        permission_level=member.permission_level,
        days=[
            DayFigures(
                day=day,
                seconds=(row.total_duration_seconds or 0) if row else 0,
                limit=in_force.limit_on(member.pk, day)[0],
            )
            for day, row in zip(days, rows, strict=True)
        ],
        refused=refused,
        refused_why=sorted(why.items(), key=lambda item: (-item[1], item[0])),
        requests=requests,
        top_commands=sorted(commands.items(), key=lambda item: (-item[1], item[0]))[:TOP_COMMANDS],
    )


def member_line(member: MemberWeek) -> str:
    """One member's week in a sentence or two, for a phone."""
    if not member.minutes and not member.refused and not member.asked:
        return f"{member.name}: not used this week."
    parts = [f"{member.name}: {minutes_words(member.minutes)} this week"]
    if member.limit is not None:
        parts[0] += f" (limit {minutes_words(member.limit)})"
    if member.over_days:
        parts[0] += f", over on {days_words([day.weekday for day in member.over_days])}"
    if member.refused:
        why = ", ".join(f"{count} {words}" for words, count in member.refused_why)
        parts.append(f"{member.refused} refused" + (f" ({why})" if why else ""))
    if member.asked:
        answers = [
            f"{member.requests[status]} {words}"
            for status, words in (
                (RequestStatus.APPROVED, "yes"),
                (RequestStatus.DECLINED, "no"),
                (RequestStatus.PENDING, "waiting"),
            )
            if member.requests.get(status)
        ]
        parts.append(f"asked {TIMES.get(member.asked, f'{member.asked} times')}, {', '.join(answers)}")
    line = "; ".join(parts)
    if member.top_commands:
        line += "\n  Most said: " + ", ".join(f"“{text}” ({count})" for text, count in member.top_commands)
    return line


def report_text(report: FamilyReport) -> str:
    """The short text of the push notification: a line or two per member."""
    return "\n".join(member_line(member) for member in report.members) or "No family members yet."


def report_email(report: FamilyReport) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the e-mail: a table per member of day, minutes and limit."""
    context = {"report": report, "members": [(member, member_line(member)) for member in report.members]}
    return (
        report.title,
        render_to_string("dashboard/weekly_report_email.txt", context),
        render_to_string("dashboard/weekly_report_email.html", context),
    )
