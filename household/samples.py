"""The sample family: a household to try TonnyTray on (`manage.py load_samples`).

Dad (admin), Mom (user), Alex (kid, PIN 1234, parental controls and usage limits)
and Guest (guest), with their voices, agents, response modes and settings; the five
quick actions; the application settings the tray reads; and three weeks of
believable days (`household.simulation`), with command history, sessions, system
events and notifications. The story is fixed by a seed and placed relative to today.

Sample rows carry a marker so they can be told from the family's own: profiles
and the rest by {"sample": true} in their JSON (settings, metadata,
execution_metadata). Loading is idempotent: what exists is left alone. `reset`
deletes the marked rows (activity and the like) and puts the marked profiles and
quick actions back as documented; it never touches anything unmarked. Settings
are configuration, not sample data: they are added when missing and never changed.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, CommandStatus, Session
from activity.services import activity_record_many, usage_statistics_rebuild
from household.rows import TABLE_COLUMNS, TABLE_MODELS, Day, HouseholdRows, Member, days_ending_today
from household.sample_family import (
    LIMIT_DAY_OFFSET,
    SAMPLE_DAYS,
    SAMPLE_MARKER,
    SAMPLE_MEMBERS,
    SAMPLE_PASSWORDS,
    SAMPLE_QUICK_ACTIONS,
    SAMPLE_SEED,
    SAMPLE_SETTINGS,
)
from household.simulation import DAY_SECONDS, DayRules, SimulatedSession, expected_daily_commands
from parental import rules
from profiles.models import FamilyLogin, UserProfile
from profiles.services import family_member_create, profile_save
from quickactions.models import QuickAction
from quickactions.services import quick_action_save
from telemetry.models import Notification, Setting, SystemEvent
from telemetry.services import setting_update
from tonnysite.clock import family_zone, local_day, local_moment, local_today


@dataclass
class SampleReport:
    """What load_samples did; empty lists and zero counts mean it changed nothing."""

    skipped_reason: str | None = None
    profiles_created: list[str] = field(default_factory=list)
    profiles_reset: list[str] = field(default_factory=list)
    logins_created: list[str] = field(default_factory=list)
    quick_actions_created: list[str] = field(default_factory=list)
    quick_actions_reset: list[str] = field(default_factory=list)
    quick_actions_kept: list[str] = field(default_factory=list)  # the family's own, same id: left alone
    settings_created: list[str] = field(default_factory=list)
    rows_deleted: dict[str, int] = field(default_factory=dict)
    rows_created: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        profiles = (self.profiles_created, self.profiles_reset, self.logins_created, self.settings_created)
        actions = (self.quick_actions_created, self.quick_actions_reset)
        return any((*profiles, *actions, *self.rows_deleted.values(), *self.rows_created.values()))


# The marked rows of each table, and the JSON column that carries the marker.
_MARKED = ((ActivityLog, "metadata"), (CommandHistory, "execution_metadata"), (Session, "metadata"),
           (SystemEvent, "metadata"), (Notification, "metadata"))  # fmt: skip


@transaction.atomic
def sample_family_load(*, reset: bool = False, if_empty: bool = False) -> SampleReport:
    """Load the sample family in one transaction (see the module docstring); return what changed."""
    report = SampleReport()
    if if_empty and UserProfile.objects.exists():
        report.skipped_reason = "the database has profiles already"
        return report
    moved_since = _sample_rows_delete(report) if reset else None
    members = _members_ensure(report, reset=reset)
    _quick_actions_ensure(report, reset=reset)
    _settings_ensure(report)
    if not ActivityLog.objects.filter(metadata__contains=SAMPLE_MARKER).exists():
        _history_create(report, members)
    if moved_since is not None:
        # Days that lost sample rows and got none back still hold statistics: recompute them.
        usage_statistics_rebuild(since=moved_since, until=local_today(), profile_ids=[m.pk for m in members.values()])
    return report


def _sample_rows_delete(report: SampleReport) -> date | None:
    """Delete every marked row; return the first local day they touched (None when there were none).

    Plain SQL on purpose: per-row signals would refresh statistics once per row;
    the caller rebuilds them once, set-based.
    """
    first = None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT least((SELECT min(timestamp) FROM activity_logs WHERE metadata @> %s::jsonb),"
            " (SELECT min(started_at) FROM sessions WHERE metadata @> %s::jsonb))",
            ['{"sample": true}', '{"sample": true}'],
        )
        moment = cursor.fetchone()[0]
        if moment is not None:
            first = local_day(moment=moment)
        for model, column in _MARKED:
            table = model._meta.db_table
            cursor.execute(f"DELETE FROM {table} WHERE {column} @> %s::jsonb", ['{"sample": true}'])
            report.rows_deleted[table] = cursor.rowcount
    return first


def _members_ensure(report: SampleReport, *, reset: bool) -> dict[str, UserProfile]:
    existing = {p.name: p for p in UserProfile.objects.filter(name__in=[m.name for m in SAMPLE_MEMBERS])}
    for name, profile in existing.items():
        if not (profile.settings or {}).get("sample"):
            raise ValidationError(
                f"A profile named {name!r} exists and is not sample data: rename it, or load the samples "
                "into another database."
            )
    members = {}
    for member in SAMPLE_MEMBERS:
        profile = existing.get(member.name)
        # A sample login only where the username is free; the family's own logins stay theirs.
        username = member.username if member.username and _login_free(member.username) else None
        login = {"username": username, "password": SAMPLE_PASSWORDS.get(username or "")}
        if profile is None:
            profile = family_member_create(name=member.name, pin=member.pin, **login, **member.profile_fields())
            report.profiles_created.append(member.name)
        else:
            if FamilyLogin.objects.filter(profile=profile).exists():
                login = {}
            if reset:
                for name, value in member.profile_fields().items():
                    setattr(profile, name, value)
                profile_save(profile=profile, pin=member.pin, clear_pin=member.pin is None, **login)
                report.profiles_reset.append(member.name)
            elif login.get("username"):
                profile_save(profile=profile, **login)
        if login.get("username"):
            report.logins_created.append(username)
        members[member.name] = profile
    return members


def _login_free(username: str) -> bool:
    return not get_user_model().objects.filter(username__iexact=username).exists()


def _quick_actions_ensure(report: SampleReport, *, reset: bool) -> None:
    existing = QuickAction.objects.in_bulk([action.id for action in SAMPLE_QUICK_ACTIONS])
    for sample in SAMPLE_QUICK_ACTIONS:
        action = existing.get(sample.id)
        if action is None:
            quick_action_save(action=QuickAction(id=sample.id, **sample.fields()))
            report.quick_actions_created.append(sample.id)
        elif not (action.metadata or {}).get("sample"):
            report.quick_actions_kept.append(sample.id)
        elif reset:
            for name, value in sample.fields().items():
                setattr(action, name, value)
            quick_action_save(action=action)
            report.quick_actions_reset.append(sample.id)


def _settings_ensure(report: SampleReport) -> None:
    existing = set(Setting.objects.filter(key__in=[row[0] for row in SAMPLE_SETTINGS]).values_list("key", flat=True))
    fields = ("key", "default_value", "category", "description", "is_sensitive", "validation_schema")
    for row in SAMPLE_SETTINGS:
        if row[0] not in existing:
            setting = Setting(**dict(zip(fields, row, strict=True)), is_user_editable=True)
            setting_update(setting=setting, value=setting.default_value)
            report.settings_created.append(setting.key)


def _history_create(report: SampleReport, members: dict[str, UserProfile]) -> None:
    """Three weeks of the family's commands, sessions, events and notifications, ending now."""
    zone = family_zone()
    now = timezone.localtime(timezone=zone)
    today = now.date()
    days = [day for day in days_ending_today(count=SAMPLE_DAYS, now=now) if day.limit >= 60]
    rows = HouseholdRows(
        seed=SAMPLE_SEED, next_id=_sample_ids(SAMPLE_SEED), marker=SAMPLE_MARKER, calendar=rules.family_calendar()
    )
    dad = str(members["Dad"].pk)
    household = {
        sample.name: rows.member(members[sample.name], index=index, admin_id=dad)
        for index, sample in enumerate(SAMPLE_MEMBERS)
    }
    kid = next(sample for sample in SAMPLE_MEMBERS if sample.pin)
    limit_day = today - timedelta(days=LIMIT_DAY_OFFSET)
    limit_reached = []  # (moment, minutes): when the kid used up a day's allowance

    def allowance_use_up(day: Day, member: Member, sessions: list) -> list:
        if member is household[kid.name] and day.date == limit_day and sessions:
            limit_reached.append(
                _daily_limit_use_up(sessions, day=day.date, rules=rows.day_rules(day, member), zone=zone)
            )
        return sessions

    for _ in rows.plan(_sample_plan(days, household), adjust=allowance_use_up):
        pass
    created = household_rows_save(rows=rows)
    reached = limit_reached[0] if limit_reached else None
    events = _story_events(members, today, now, limit_reached=reached)
    notifications = _notifications(members, today, now, activity=created["activity_logs"], limit_reached=reached)
    SystemEvent.objects.bulk_create(events)
    Notification.objects.bulk_create(notifications)
    report.rows_created = {table: len(values) for table, values in created.items()}
    report.rows_created["system_events"] += len(events)
    report.rows_created["notification_queue"] = len(notifications)


def _sample_ids(seed: int) -> Callable[[], str]:
    """uuid text drawn from a seeded generator: the same story gets the same ids."""
    rng = random.Random(seed)
    return lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _sample_plan(days: list[Day], household: dict[str, Member]) -> list[tuple[Day, Member, int]]:
    """How many commands each member says each day: their habits, a part of today, a guest on weekends."""
    rng = random.Random(SAMPLE_SEED)
    today = days[-1].date
    plan = []
    for day in days:
        offset = (today - day.date).days
        for sample in SAMPLE_MEMBERS:
            if sample.visits_only and (day.date.weekday() < 5 or offset > 14):
                continue
            mean = expected_daily_commands(sample.permission_level, day.date.weekday()) * day.limit / DAY_SECONDS
            plan.append((day, household[sample.name], max(1, round(rng.gauss(mean, mean / 4)))))
    return plan


def python_rows(model: type[models.Model], columns: tuple[str, ...], values: list[tuple]) -> list[dict]:
    """Row values (see `household.rows`) as Python values keyed by column, each read by its model field."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    readers = [json.loads if isinstance(fields[c], models.JSONField) else fields[c].to_python for c in columns]
    return [
        {
            column: None if value is None else read(value)
            for column, read, value in zip(columns, readers, row, strict=True)
        }
        for row in values
    ]


def household_rows_save(*, rows: HouseholdRows) -> dict[str, list[dict]]:
    """Store the rows gathered in `rows` as model rows; return them as Python values, by table.

    Sessions, command history and events go in with bulk_create; the activity last,
    with activity_record_many, which also brings every touched day's statistics,
    last_active_at and the session counters to the truth.
    """
    created = {}
    for table, columns in TABLE_COLUMNS.items():
        model = TABLE_MODELS[table]
        created[table] = python_rows(model, columns, rows.tables[table])
        rows.tables[table].clear()
        if model is not ActivityLog:
            attnames = {field.column: field.attname for field in model._meta.concrete_fields}
            model.objects.bulk_create(
                [model(**{attnames[column]: value for column, value in row.items()}) for row in created[table]]
            )
    activity_record_many(rows=created["activity_logs"])
    return created


def _daily_limit_use_up(
    sessions: list[SimulatedSession], *, day: date, rules: DayRules, zone: ZoneInfo
) -> tuple[datetime, int]:
    """Lengthen the kid's sessions of `day` until the day's minutes are used up; return (moment, minutes).

    Sessions grow into the quiet time after them, the last one first (never out of
    their window), so the allowance runs out when the last session ends: to the
    millisecond the moments are stored with. The list is changed in place.
    """
    stored = [(int(session.start * 1000), int(session.end * 1000)) for session in sessions]
    needed = int(rules.budget * 1000) - sum(end - start for start, end in stored)
    for index in range(len(sessions) - 1, -1, -1):
        start, end = stored[index]
        window_end = next(high for low, high in rules.windows if low <= sessions[index].start < high)
        bound = min(window_end, sessions[index + 1].start) if index + 1 < len(sessions) else window_end
        grow = max(0, min(int(bound * 1000) - end, needed))
        sessions[index] = sessions[index]._replace(end=(end + grow + 0.5) / 1000)
        needed -= grow
    return _moment(day, sessions[-1].end, zone), int(rules.budget // 60)


def _moment(day: date, seconds: float, zone: ZoneInfo) -> datetime:
    return local_moment(day, seconds / 60, zone)


def _story_events(members: dict[str, UserProfile], today: date, now: datetime, *, limit_reached) -> list[SystemEvent]:
    """A few events a parent would look into: a wrong PIN, a used-up allowance, an outage Dad resolved."""
    zone = now.tzinfo
    dad, alex = members["Dad"], members["Alex"]
    outage_start = _moment(today - timedelta(days=6), 19 * 3600 + 12 * 60, zone)
    rows = [
        (_moment(today - timedelta(days=5), 20 * 3600 + 55 * 60, zone), "pin_failed", "warning",
         "parental_controls", "Wrong PIN entered for Alex's profile", alex, None),
        (outage_start, "n8n_unreachable", "critical", "n8n", "n8n did not answer for 12 minutes", None,
         outage_start + timedelta(minutes=40)),
    ]  # fmt: skip
    if limit_reached:
        moment, minutes = limit_reached
        rows.append(
            (moment, "usage_limit_reached", "warning", "parental_controls",
             f"Alex used up today's {minutes} minutes", alex, None)
        )  # fmt: skip
    fields = ("timestamp", "event_type", "severity", "component", "message", "profile", "resolved_at")
    return [
        SystemEvent(**dict(zip(fields, row, strict=True)), metadata=dict(SAMPLE_MARKER), resolved_by=row[-1] and dad)
        for row in rows
        if row[0] < now
    ]


def _notifications(
    members: dict[str, UserProfile], today: date, now: datetime, *, activity: list[dict], limit_reached
) -> list[Notification]:
    """Sent, due and retried notifications for each member; the daily summary tells yesterday's numbers."""
    zone = now.tzinfo
    yesterday = today - timedelta(days=1)
    finished = [
        row["status"]
        for row in activity
        if local_day(moment=row["timestamp"]) == yesterday and row["status"] in CommandStatus.finished()
    ]
    failed = sum(status in CommandStatus.failures() for status in finished)
    rows = [
        ("Dad", "daily_summary", "Yesterday at home",
         f"The family ran {len(finished)} commands yesterday; {failed} did not work.", 4,
         _moment(yesterday, 20 * 3600, zone), True, 0),
        ("Dad", "system_alert", "n8n is not answering", "n8n did not answer for 12 minutes; commands failed.", 8,
         _moment(today - timedelta(days=6), 19 * 3600 + 14 * 60, zone), True, 0),
        ("Dad", "system_alert", "ElevenLabs quota almost used", "Spoken answers may stop until the quota resets.",
         6, now - timedelta(minutes=20), False, 1),
        ("Mom", "reminder", "Call grandma", "Time to call grandma.", 6, _moment(today, 18 * 3600, zone), True, 0),
        ("Alex", "bedtime", "Bedtime soon", "30 minutes until bedtime. Time to wind down!", 5,
         _moment(today, 20 * 3600 + 30 * 60, zone), True, 0),
        ("Guest", "welcome", "Welcome!", "Try saying: what's the weather today?", 3,
         _moment(today - timedelta(days=6), 10 * 3600, zone), True, 0),
    ]  # fmt: skip
    if limit_reached:
        moment, minutes = limit_reached
        rows += [
            ("Alex", "usage_warning", "10 minutes left", "You have 10 minutes of assistant time left today.", 5,
             moment - timedelta(minutes=10), True, 0),
            ("Dad", "usage_limit", "Alex used up the day's minutes",
             f"Alex used all {minutes} minutes of assistant time.", 7, moment, True, 0),
        ]  # fmt: skip
    fields = ("notification_type", "title", "message", "priority", "scheduled_for")
    return [
        Notification(
            profile=members[name],
            **dict(zip(fields, values, strict=True)),
            # Delivered two seconds after it was due, unless it is still due or stuck retrying.
            sent_at=scheduled_for + timedelta(seconds=2) if deliver and scheduled_for < now else None,
            retry_count=retries,
            metadata=dict(SAMPLE_MARKER),
        )
        for name, *values, deliver, retries in rows
        for scheduled_for in [values[-1]]
    ]
