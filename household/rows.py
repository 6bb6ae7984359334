"""Simulated commands as row values: the one mapping both writers serialise.

`HouseholdRows` turns the sessions `household.simulation` draws into the values of
activity_logs, command_history, sessions and system_events rows, in the column
order declared here, once. Every rule of the story lives here: response timing,
the Whisper model per role, the n8n and ElevenLabs payloads, audio paths, what
counts as a session's error, the tray's daily events and the errors a parent
resolves the next morning. The writers only serialise: `household.copy_load` turns
the values into COPY text, `household.samples` into model rows.

A value is the column's PostgreSQL text form (what COPY and a cast read: uuid and
timestamptz text, numbers as text, "t"/"f", JSON text), or None for NULL. What is
constant for a phrase, a failure, a member or a device is computed once, so a row
costs a tuple; what a writer adds of its own (the sample marker) is a parameter.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from activity.models import ActivityLog, CommandHistory, CommandStatus, Session
from household.command_catalog import (
    AGENT_BY_ROLE,
    AUDIO_DIRECTORY,
    CATEGORIES,
    CLIENTS,
    DAILY_EVENTS,
    DEVICES,
    FAILURES,
    QUICK_ACTION_BY_NORMALIZED,
    REFUSAL,
    ROLE_HABITS,
    SAID_PREFIXES,
    SLOW_N8N_EVENT,
    SLOW_N8N_RATE,
    TRAY_AUDIO_URL,
    TYPING_APPS,
    WHISPER_MODEL_BY_ROLE,
    Category,
    Failure,
    Phrase,
)
from household.simulation import DAY_SECONDS, DayRules, FamilySimulator, SimulatedSession
from parental import rules
from profiles.models import ResponseMode, UserProfile
from telemetry.models import SystemEvent

ACTIVITY_COLUMNS = (
    "id", "profile_id", "timestamp", "command_text", "transcription_confidence", "response_text",
    "response_audio_url", "status", "processing_time_ms", "whisper_time_ms", "n8n_time_ms", "tts_time_ms",
    "error_message", "metadata", "n8n_webhook_url", "parent_command_id",
)  # fmt: skip
HISTORY_COLUMNS = (
    "id", "timestamp", "profile_id", "command", "raw_transcription", "normalized_command", "command_category",
    "n8n_workflow_id", "n8n_webhook_url", "n8n_request_payload", "n8n_response_payload", "n8n_response_time_ms",
    "n8n_status_code", "elevenlabs_voice_id", "elevenlabs_request_id", "audio_file_path", "audio_duration_seconds",
    "typed_response", "typing_target_app", "quick_action_id", "is_favorite", "execution_metadata",
)  # fmt: skip
SESSION_COLUMNS = (
    "id", "profile_id", "started_at", "ended_at", "command_count", "error_count", "client_version",
    "client_platform", "metadata",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "timestamp", "event_type", "severity", "component", "message", "metadata", "profile_id", "session_id",
    "resolved_at", "resolved_by",
)  # fmt: skip
# Table -> its model and its columns, in the order a writer stores them (sessions before the commands naming them).
TABLE_MODELS = {model._meta.db_table: model for model in (Session, ActivityLog, CommandHistory, SystemEvent)}
_COLUMNS = (SESSION_COLUMNS, ACTIVITY_COLUMNS, HISTORY_COLUMNS, EVENT_COLUMNS)
TABLE_COLUMNS = dict(zip(TABLE_MODELS, _COLUMNS, strict=True))
Spelling = Callable[[str | None], str | None]
ERROR_RESOLVED_RATE = 0.7  # errors a parent marks resolved the next morning, between 8 and 10 h


def json_members(value: dict) -> str:
    """The members of a JSON object as text, without its braces ("" for {}): row JSON is joined from these."""
    return json.dumps(value)[1:-1]


def as_is(value: str | None) -> str | None:
    """The spelling of a writer that stores values as they are (None for NULL)."""
    return value


@functools.cache
def _minute_texts() -> list[str]:
    """ "SS.mmm" for every millisecond of a minute."""
    return [f"{millis // 1000:02d}.{millis % 1000:03d}" for millis in range(60_000)]


class Day:
    """One local day: seconds after midnight as timestamptz text (DST included), and how much of it may be used.

    `limit` is the last second that may hold a row (now, for today); errors of a
    `resolvable` day may be resolved the next morning, which has passed already.
    """

    def __init__(self, day: date, zone: ZoneInfo, *, limit: float = DAY_SECONDS, resolvable: bool = False):
        self.date = day
        self.zone = zone
        self.limit = limit
        self.resolvable = resolvable
        self.path = day.strftime("%Y/%m/%d")  # where the day's audio files go
        self._minutes, self._offsets = [], []
        for hour in range(24):
            offset = int(datetime(day.year, day.month, day.day, hour, tzinfo=zone).utcoffset().total_seconds())
            hours, minutes = divmod(abs(offset) // 60, 60)
            offset_text = f"{'+' if offset >= 0 else '-'}{hours:02d}:{minutes:02d}"
            for minute in range(60):
                self._minutes.append(f"{day.isoformat()} {hour:02d}:{minute:02d}:")
                self._offsets.append(offset_text)
        self._seconds = _minute_texts()

    def __repr__(self) -> str:
        return f"Day({self.date}, limit={self.limit})"

    def at(self, seconds: float) -> str:
        """The moment `seconds` after local midnight, to the millisecond (wall-clock time, as the tray logs it)."""
        minute, millis = divmod(int(seconds * 1000), 60_000)
        return f"{self._minutes[minute]}{self._seconds[millis]}{self._offsets[minute]}"

    @functools.cached_property
    def _next(self) -> Day:
        return Day(self.date + timedelta(days=1), self.zone)

    def next_day_at(self, seconds: float) -> str:
        return self._next.at(seconds)


def days_ending_today(*, count: int, now: datetime) -> list[Day]:
    """The last `count` local days of `now`'s zone, oldest first; today ends a second before `now`."""
    zone = now.tzinfo
    today = now.date()
    today_limit = max(1.0, now.hour * 3600 + now.minute * 60 + now.second - 1.0)
    return [
        Day(
            today - timedelta(days=offset),
            zone,
            limit=today_limit if offset == 0 else DAY_SECONDS,
            resolvable=offset >= 2,
        )
        for offset in range(count - 1, -1, -1)
    ]


def _clock_seconds(moment: datetime, day: Day) -> float:
    """`moment` as seconds after midnight on `day`'s clock; the next midnight is DAY_SECONDS."""
    if moment.date() != day.date:
        return DAY_SECONDS
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second


@dataclass(frozen=True, slots=True)
class Member:
    """What the mapping needs of one family member, as values: made by `HouseholdRows.member`."""

    id: str
    role: str
    voice: bool  # hears spoken answers: a voice of their own and a response mode other than text only
    voice_id: str | None
    admin_id: str  # the parent who resolves this member's errors
    client_version: str
    client_platform: str
    metadata: dict[str, str]  # device -> JSON members of activity metadata (device, Whisper model, marker)
    request: str  # JSON members of the n8n request payload after the session id (profile id, agent)
    refusal: Callable[[Phrase, int], _FailureValues | None] | None  # what the lists refuse; None: no lists
    controls: rules.ParentalControls | None  # None: no hours or limits
    limits: str  # usage_limits as JSON text: members with equal limits share their days' rules


class _PhraseValues:
    """The values of one phrase that every command saying it shares, spelled for the writer."""

    __slots__ = (
        "command", "said", "normalized", "category", "workflow", "workflow_members", "webhook", "response",
        "request", "ok_payload", "audio_seconds", "quick_action", "typed", "typed_text", "execution",
        "execution_retried",
    )  # fmt: skip

    def __init__(self, category: Category, phrase: Phrase, marker: dict, spell: Spelling):
        self.command = spell(phrase.said)
        self.said = [spell(prefix + phrase.said) for prefix in SAID_PREFIXES]
        self.normalized = spell(phrase.normalized)
        self.category = spell(category.name)
        self.workflow = spell(category.workflow)
        self.workflow_members = spell(json_members({"workflow": category.workflow}))
        self.webhook = spell(category.webhook_url)
        self.response = spell(phrase.response)
        self.request = spell(json_members({"text": phrase.said}))
        self.ok_payload = spell(json.dumps({"ok": True, "reply": phrase.response, "workflow": category.workflow}))
        self.audio_seconds = spell(f"{max(0.6, len(phrase.response) / 14):.2f}")
        self.quick_action = spell(QUICK_ACTION_BY_NORMALIZED.get(phrase.normalized))
        self.typed = category.typed
        self.typed_text = spell("t" if category.typed else "f")
        # Few distinct values on purpose: unique ids here would triple the cost of the GIN index on this column.
        steps, version = 3 + len(category.phrases) % 4, 1 + len(category.name) % 4
        self.execution = spell(json.dumps({"workflow_version": version, "steps": steps, "retries": 0, **marker}))
        self.execution_retried = spell(
            json.dumps({"workflow_version": version, "steps": steps, "retries": 1, **marker})
        )


class _FailureValues:
    """The values of one way of failing, spelled for the writer; a refusal's come from the policy's `decision`."""

    __slots__ = (
        "message", "response", "payload", "status_code", "error_members", "event_members", "event_type", "severity",
        "component", "resolvable", "status",
    )  # fmt: skip

    def __init__(self, failure: Failure, marker: dict, spell: Spelling, decision: rules.Decision | None = None):
        error = rules.refusal_metadata(decision) if decision else {"error_type": failure.error_type}
        self.status = spell(failure.status)
        self.message = spell(f"{failure.message}: {decision.rule}" if decision else failure.message)
        self.response = spell((decision.message if decision else failure.response) or None)
        self.payload = spell(json.dumps({"ok": False, "error": failure.message}) if failure.n8n_status_code else None)
        self.status_code = spell(None if failure.n8n_status_code is None else str(failure.n8n_status_code))
        self.error_members = spell(json_members(error))
        self.event_members = spell(json_members({**error, **marker}))
        self.event_type, self.severity = spell(failure.event_type), spell(failure.severity)
        self.component = spell(failure.component)
        self.resolvable = failure.severity == "error"


_SESSION_ID = json.dumps("session_id") + ': "'
_ACTIVITY_ID = json.dumps("activity_id") + ': "'


class HouseholdRows:
    """Row values of the four tables for simulated days, gathered in `tables` until a writer takes them.

    `next_id` makes the uuid text of every row; `seed` fixes the simulation and the
    mapping's own draws (typing app, daily events, resolutions); `marker` is merged
    into every row's JSON metadata (sessions, activity, command history, events).

    `spell` is how the writer spells a value it stores, NULL included: applied once to
    every constant value (a phrase's, a failure's, a member's), never per row. The values
    made per row, uuid and timestamptz text and numbers, are the same in every spelling
    (they never hold a character COPY escapes), and per-row JSON is joined from spelled
    members and uuid text. The sample writer keeps values `as_is`; the COPY writer
    escapes them and spells NULL \\N, so it only has to join a row's values with tabs.
    """

    def __init__(
        self,
        *,
        seed: int,
        next_id: Callable[[], str],
        marker: dict | None = None,
        spell: Spelling = as_is,
        calendar: rules.FamilyCalendar | None = None,
    ):
        self.simulator = FamilySimulator(seed)
        self.calendar = calendar or rules.FamilyCalendar()
        self._refusals: dict[tuple, Callable] = {}
        self._day_rules: dict[tuple, DayRules] = {}
        self.rng = random.Random(seed + 1)
        self.next_id = next_id
        self.marker = dict(marker or {})
        self.spell = spell
        self.null = spell(None)
        self.tables: dict[str, list[tuple]] = {table: [] for table in TABLE_COLUMNS}
        self.timings = [
            tuple(spell(None if ms is None else str(ms)) for ms in timing) for timing in self.simulator.timings
        ]
        self.phrases = {
            phrase: _PhraseValues(category, phrase, self.marker, spell)
            for category in CATEGORIES
            for phrase in (*category.phrases, *category.follow_ups)
        }
        self.failures = {failure: _FailureValues(failure, self.marker, spell) for failure in FAILURES}
        self.session_metadata = {device: spell(json.dumps({"device": device, **self.marker})) for device in DEVICES}
        self.typing_apps = [spell(app) for app in TYPING_APPS]
        self.audio_url = spell(f"{TRAY_AUDIO_URL}/")
        self.audio_directory = spell(f"{AUDIO_DIRECTORY}/")
        self.statuses = {status: spell(status) for status in CommandStatus}
        self.success = spell(CommandStatus.SUCCESS)
        self.success_code = spell("200")
        self.true, self.false = spell("t"), spell("f")
        self.daily_events = [
            (hour, spread, *map(spell, (event_type, severity, component, message)),
             spell(json.dumps({**metadata, **self.marker})))
            for hour, spread, event_type, severity, component, message, metadata in DAILY_EVENTS
        ]  # fmt: skip
        *slow_event, slow_metadata = SLOW_N8N_EVENT
        self.slow_n8n_event = (*map(spell, slow_event), spell(json.dumps({**slow_metadata, **self.marker})))

    def member(self, profile: UserProfile, *, index: int, admin_id: str) -> Member:
        """The member `profile`; `index` picks its tray client, `admin_id` who resolves its errors."""
        spell = self.spell
        pid = str(profile.pk)
        role = profile.permission_level
        controls = rules.controls_of(profile.usage_limits)
        version, platform = CLIENTS[index % len(CLIENTS)]
        model = WHISPER_MODEL_BY_ROLE[role]
        return Member(
            id=pid,
            role=role,
            voice=profile.response_mode != ResponseMode.TEXT_ONLY and bool(profile.voice_id),
            voice_id=spell(profile.voice_id or None),
            admin_id=admin_id,
            client_version=spell(version),
            client_platform=spell(platform),
            metadata={
                device: spell(json_members({"device": device, "model": model, **self.marker}))
                for device in ROLE_HABITS[role].devices
            },
            request=spell(json_members({"profile_id": pid, "agent": profile.preferred_agent or AGENT_BY_ROLE[role]})),
            refusal=self._refusal(profile.allowed_commands, profile.blocked_commands),
            controls=controls if controls.has_time_rules else None,
            limits=json.dumps(profile.usage_limits, sort_keys=True),
        )

    def _refusal(self, allowed: list[str] | None, blocked: list[str] | None) -> Callable | None:
        """What the lists refuse: the policy decides each said phrase once, for every member with these lists."""
        if allowed is None and not blocked:
            return None
        lists = (None if allowed is None else tuple(allowed), tuple(blocked or ()))
        if lists not in self._refusals:
            # No usage limits: the decision is the lists' alone, and costs no query.
            judge = UserProfile(allowed_commands=allowed, blocked_commands=blocked, usage_limits={})

            @functools.cache
            def refusal(phrase: Phrase, prefix: int) -> _FailureValues | None:
                decision = rules.policy_decide(profile=judge, command=SAID_PREFIXES[prefix] + phrase.said)
                return None if decision.allowed else _FailureValues(REFUSAL, self.marker, self.spell, decision)

            self._refusals[lists] = refusal
        return self._refusals[lists]

    def day_rules(self, day: Day, member: Member) -> DayRules | None:
        """Where `member`'s sessions may lie on `day` and for how long in all (None: no hours or limits)."""
        if member.controls is None:
            return None
        key = (day.date, member.limits)
        if key not in self._day_rules:
            limit, _ = member.controls.limit_for(self.calendar.day_type(day.date)[0])
            spans = rules.allowed_spans(day.date, member.controls, self.calendar, day.zone)
            windows = [(_clock_seconds(start, day), _clock_seconds(end, day)) for start, end in spans]
            self._day_rules[key] = DayRules(windows, None if limit is None else limit * 60.0)
        return self._day_rules[key]

    def plan(
        self,
        entries: Iterable[tuple[Day, Member, int]],
        *,
        adjust: Callable[[Day, Member, list[SimulatedSession]], list[SimulatedSession]] | None = None,
    ) -> Iterator[None]:
        """Simulate each (day, member, command count) in order and map it; yield after each.

        A day's own events come first, when the entries reach it. `adjust` may change a
        member's simulated sessions of a day before they are mapped (the sample kid's
        used-up allowance). The yields let a writer take the rows gathered so far.
        """
        simulate = self.simulator.sessions
        current = None
        for day, member, count in entries:
            if day is not current:
                current = day
                self.day_events(day)
            sessions = simulate(
                role=member.role,
                voice=member.voice,
                count=count,
                limit=day.limit,
                rules=self.day_rules(day, member),
                refused=member.refusal,
            )
            if adjust is not None:
                sessions = adjust(day, member, sessions)
            for session in sessions:
                self.session(member, day, session)
            yield

    def day_events(self, day: Day) -> None:
        """The tray's own events of a day: nightly backup, start-up, health checks, slow n8n now and then."""
        rand = self.rng.random
        null = self.null
        entries = [(hour * 3600 + rand() * spread, *event) for hour, spread, *event in self.daily_events]
        if rand() < SLOW_N8N_RATE:
            entries.append((9 * 3600 + rand() * 43200, *self.slow_n8n_event))
        add_event = self.tables["system_events"].append
        for at, event_type, severity, component, message, metadata in entries:
            if at < day.limit:
                add_event(
                    (self.next_id(), day.at(at), event_type, severity, component, message, metadata, null, null, null,
                     null)
                )  # fmt: skip

    def session(self, member: Member, day: Day, session: SimulatedSession) -> None:
        """The rows of one session: its commands, their command history and error events, then the session."""
        tables = self.tables
        add_activity = tables["activity_logs"].append
        add_history = tables["command_history"].append
        add_event = tables["system_events"].append
        next_id, at_time, null = self.next_id, day.at, self.null
        rand = self.rng.random
        timings, phrases, failures, statuses = self.timings, self.phrases, self.failures, self.statuses
        success, failed_statuses = CommandStatus.SUCCESS, CommandStatus.failures()
        voice_id, true, false = member.voice_id, self.true, self.false
        sid = next_id()
        pid = member.id
        metadata_members = f'{member.metadata[session.device]}, {_SESSION_ID}{sid}"'
        metadata = f"{{{metadata_members}}}"
        request = f'{_SESSION_ID}{sid}", {member.request}}}'
        errors = 0
        previous = null
        # Unpacked field by field: a command's attributes are read a million times.
        start = session.start
        for seconds, _, phrase, prefix, follow_up, status, failure, timing, confidence, favorite in session.commands:
            aid = next_id()
            at = at_time(start + seconds)
            values = phrases[phrase]
            said = values.said[prefix]
            confidence = confidence or null
            parent = previous if follow_up else null
            previous = aid
            processing, whisper, n8n, tts = timings[timing]
            if status == success:
                if member.voice and not values.typed:
                    audio_url = f"{self.audio_url}{aid}.mp3"
                    request_id = aid.replace("-", "")
                    audio_path = f"{self.audio_directory}{day.path}/{aid}.mp3"
                    audio_seconds, spoken_voice = values.audio_seconds, voice_id
                else:
                    audio_url = request_id = audio_path = audio_seconds = spoken_voice = null
                add_activity(
                    (aid, pid, at, said, confidence, values.response, audio_url, self.success, processing,
                     whisper, n8n, tts, null, metadata, values.webhook, parent)
                )  # fmt: skip
                add_history(
                    (next_id(), at, pid, values.command, said, values.normalized, values.category, values.workflow,
                     values.webhook, f"{{{values.request}, {request}", values.ok_payload, n8n, self.success_code,
                     spoken_voice, request_id, audio_path, audio_seconds, values.typed_text,
                     self.typing_apps[int(rand() * len(TYPING_APPS))] if values.typed else null, values.quick_action,
                     true if favorite else false, values.execution)
                )  # fmt: skip
            elif status in failed_statuses:
                errors += 1
                fail = member.refusal(phrase, prefix) if failure is REFUSAL else failures[failure]  # type: ignore[misc]
                calls_n8n, calls_tts = failure.calls_n8n, failure.calls_tts
                add_activity(
                    (aid, pid, at, said, confidence, values.response if calls_tts else fail.response, null,
                     fail.status, processing, whisper, n8n, tts, fail.message,
                     f"{{{metadata_members}, {fail.error_members}}}", values.webhook if calls_n8n else null, parent)
                )  # fmt: skip
                called = (
                    (values.webhook, f"{{{values.request}, {request}",
                     values.ok_payload if calls_tts else fail.payload, n8n, fail.status_code)
                    if calls_n8n
                    else (null, null, null, null, null)
                )  # fmt: skip
                add_history(
                    (next_id(), at, pid, values.command, said, values.normalized, values.category, values.workflow,
                     *called, voice_id if calls_tts else null, aid.replace("-", "") if calls_tts else null, null,
                     null, false, null, values.quick_action, false,
                     values.execution_retried if calls_n8n else values.execution)
                )  # fmt: skip
                resolved_at = resolved_by = null
                if fail.resolvable and day.resolvable and rand() < ERROR_RESOLVED_RATE:
                    resolved_at, resolved_by = day.next_day_at(28_800 + rand() * 7200), member.admin_id
                add_event(
                    (next_id(), at, fail.event_type, fail.severity, fail.component, fail.message,
                     f'{{{_ACTIVITY_ID}{aid}", {fail.event_members}, {values.workflow_members}}}', pid, sid,
                     resolved_at, resolved_by)
                )  # fmt: skip
            else:  # stuck pending or processing: no answer, no history
                add_activity(
                    (aid, pid, at, said, confidence, null, null, statuses[status], processing, whisper, n8n, tts,
                     null, metadata, null, parent)
                )  # fmt: skip
        tables["sessions"].append(
            (sid, pid, at_time(session.start), at_time(session.end), str(len(session.commands)), str(errors),
             member.client_version, member.client_platform, self.session_metadata[session.device])
        )  # fmt: skip
