"""Synthetic activity at scale, for load tests and benchmarks (`manage.py generate_activity`).

A producer thread simulates the days (`household.simulation`) and renders them as
COPY text in chunks; the calling thread streams each chunk into PostgreSQL with
`COPY ... FROM STDIN` while the next one is being made, so Python and the server
work at the same time. For a big load into a smaller table the secondary indexes
are dropped first and rebuilt at the end (one sort instead of millions of
inserts). Then usage statistics, last_active_at and session counters are brought
to the exact truth with the set-based `usage_statistics_rebuild`. Everything runs
in one transaction: a failure leaves the database as it was.
"""

from __future__ import annotations

import json
import math
import queue
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from activity.models import ActivityLog, CommandHistory, Session
from activity.services import RefreshResult, usage_statistics_rebuild
from household.command_catalog import (
    AUDIO_DIRECTORY,
    CATEGORIES,
    CLIENTS,
    QUICK_ACTION_BY_NORMALIZED,
    ROLE_HABITS,
    SAID_PREFIXES,
    TRAY_AUDIO_URL,
    TYPING_APPS,
    VOICES,
    Failure,
    Phrase,
)
from household.simulation import DAY_SECONDS, FamilySimulator
from profiles.models import PermissionLevel, ResponseMode, UserProfile
from telemetry.models import SystemEvent

GENERATED_MARKER = {"generated": True}
HOUSEHOLD_ROLES = ("admin", "user", "kid", "kid", "guest")
COMMANDS_PER_MEMBER_DAY = 25  # sizes the default number of profiles
REBUILD_INDEXES_FROM = 100_000  # below this many rows, keeping the indexes live is cheaper
LOADED_TABLES = ("activity_logs", "command_history", "sessions", "system_events")

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

_GIVEN_NAMES = (
    ("James", "Maria", "Daniel", "Aisha", "Lukas", "Priya", "Mateo", "Hannah", "Kenji", "Sofia", "Omar", "Ingrid"),
    ("Emma", "David", "Fatima", "Peter", "Chloe", "Arjun", "Lucia", "Noah", "Yuki", "Thomas", "Amara", "Erik"),
    ("Alex", "Mia", "Leo", "Zoe", "Sam", "Lily", "Max", "Ava", "Finn", "Nora", "Kai", "Ella"),
    ("Ben", "Ruby", "Oscar", "Isla", "Theo", "Maya", "Jonas", "Luna", "Ezra", "Ivy", "Milo", "Rosa"),
    ("Grandma", "Grandpa", "Aunt Lena", "Uncle Joe", "Nana", "Cousin Tim", "Babysitter Kim", "Uncle Raj"),
)
_SURNAMES = (
    "Moreno", "Schmidt", "Okafor", "Nakamura", "Larsen", "Patel", "Rossi", "Kowalski", "Dubois", "Haddad",
    "Silva", "Novak", "Andersen", "Murphy", "Garcia", "Kim", "Fischer", "Costa", "Ivanova", "Jensen",
)  # fmt: skip
_AGENTS = {"admin": "home_assistant", "user": "family_assistant", "kid": "kids_helper", "guest": "guest_assistant"}
# The tray's own events of every day: (hour, spread in seconds, type, severity, component, message, metadata).
_DAILY_EVENTS = (
    (3, 600, "backup_completed", "info", "database", "Nightly backup completed", {}),
    (6, 300, "server_started", "info", "server", "WhisperLiveKit server started", {}),
    (6.1, 60, "model_loaded", "info", "whisper", "Whisper model loaded", {"model": "base"}),
    *((hour, 60, "health_check", "debug", "server", "Health check passed", {"ok": True}) for hour in (0, 6, 12, 18)),
)
_SLOW_N8N_EVENT = ("high_latency", "warning", "n8n", "n8n answers slower than 3 s", {"p95_ms": 3400})
_KID_LIMITS = {"daily_limit_minutes": 60, "allowed_hours": [7, 21], "school_day_limit": 30, "weekend_limit": 90}


@dataclass
class GenerationReport:
    rows: int = 0
    history_rows: int = 0
    sessions: int = 0
    events: int = 0
    profiles: int = 0
    days: int = 0
    indexes_rebuilt: int = 0
    load_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    statistics_seconds: float = 0.0
    total_seconds: float = 0.0
    statistics: RefreshResult = field(default_factory=RefreshResult)

    @property
    def rows_per_second(self) -> float:
        """Activity rows per second over the whole run (load, indexes and statistics)."""
        return self.rows / self.total_seconds if self.total_seconds else 0.0

    @property
    def load_rows_per_second(self) -> float:
        return self.rows / self.load_seconds if self.load_seconds else 0.0


def default_profile_count(*, rows: int, days: int) -> int:
    """Enough members for about COMMANDS_PER_MEMBER_DAY commands a day each, in whole households."""
    members = max(len(HOUSEHOLD_ROLES), math.ceil(rows / (days * COMMANDS_PER_MEMBER_DAY)))
    return math.ceil(members / len(HOUSEHOLD_ROLES)) * len(HOUSEHOLD_ROLES)


def _generated_name(index: int) -> str:
    household, slot = divmod(index, len(HOUSEHOLD_ROLES))
    given = _GIVEN_NAMES[slot][household % len(_GIVEN_NAMES[slot])]
    surname = _SURNAMES[household % len(_SURNAMES)]
    lap = household // len(_SURNAMES)
    return f"{given} {surname}" + (f" {lap + 1}" if lap else "")


def _generated_profile(index: int) -> UserProfile:
    household, slot = divmod(index, len(HOUSEHOLD_ROLES))
    role = HOUSEHOLD_ROLES[slot]
    voices = list(VOICES.values())
    is_minor = role in (PermissionLevel.KID, PermissionLevel.GUEST)
    return UserProfile(
        name=_generated_name(index),
        permission_level=role,
        voice_id=None if role == PermissionLevel.GUEST else voices[index % len(voices)],
        preferred_agent=_AGENTS[role],
        response_mode=(
            ResponseMode.TEXT_ONLY
            if role == PermissionLevel.GUEST or household % 7 == 3
            else (ResponseMode.VOICE_ONLY if role == PermissionLevel.KID else ResponseMode.BOTH)
        ),
        settings={**GENERATED_MARKER, "generated_index": index, "household": household, "wake_word": "hey tonny"},
        allowed_commands=["play music", "tell me a joke", "what's the weather", "set a timer"] if is_minor else None,
        blocked_commands=["unlock the front door", "disarm the alarm", "order"] if is_minor else None,
        usage_limits=_KID_LIMITS if role == PermissionLevel.KID else {},
    )


def generated_profiles_ensure(*, count: int) -> list[UserProfile]:
    """The first `count` generated members (settings {"generated": true}), creating the missing ones.

    They come in households of five (admin, user, two kids, a guest). They get no
    logins: they exist to carry history, not to sign in.
    """
    existing = {
        profile.settings.get("generated_index"): profile
        for profile in UserProfile.objects.filter(settings__contains=GENERATED_MARKER)
    }
    missing = [_generated_profile(index) for index in range(count) if index not in existing]
    taken = set(UserProfile.objects.filter(name__in=[p.name for p in missing]).values_list("name", flat=True))
    for profile in missing:
        if profile.name in taken:
            profile.name = f"{profile.name} #{profile.settings['generated_index']}"
    UserProfile.objects.bulk_create(missing, batch_size=2000)
    for profile in missing:
        existing[profile.settings["generated_index"]] = profile
    return [existing[index] for index in range(count)]


def _copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json(value) -> str:
    return _copy_text(json.dumps(value))


def _null(value) -> str:
    return "\\N" if value is None else str(value)


class _DayClock:
    """Formats seconds after local midnight of one day as timestamptz text, DST included."""

    def __init__(self, day: date, zone: ZoneInfo):
        self.day = day
        self.prefixes = []
        self.offsets = []
        for hour in range(24):
            moment = datetime(day.year, day.month, day.day, hour, tzinfo=zone)
            offset = int(moment.utcoffset().total_seconds())
            sign = "+" if offset >= 0 else "-"
            hours, minutes = divmod(abs(offset) // 60, 60)
            self.prefixes.append(f"{day.isoformat()} {hour:02d}:")
            self.offsets.append(f"{sign}{hours:02d}:{minutes:02d}")

    def at(self, seconds: float) -> str:
        whole = int(seconds)
        hour, rest = divmod(whole, 3600)
        minute, second = divmod(rest, 60)
        millis = int((seconds - whole) * 1000)
        return f"{self.prefixes[hour]}{minute:02d}:{second:02d}.{millis:03d}{self.offsets[hour]}"


class _Ids:
    """Unique uuid text, cheap to make: a random 80-bit prefix for the run and a counter.

    Ids rise within a run, so primary-key inserts append to the B-tree instead of
    landing on random pages.
    """

    def __init__(self):
        bits = secrets.randbits(80)
        hexed = f"{bits:020x}"
        self.prefix = f"{hexed[:8]}-{hexed[8:12]}-4{hexed[12:15]}-a{hexed[15:18]}-"
        self.counter = 0

    def next(self) -> str:
        self.counter += 1
        return f"{self.prefix}{self.counter:012x}"


@dataclass
class _Member:
    """What the renderer needs of one generated profile, precomputed as text."""

    id: str
    role: str
    voice: bool
    voice_id: str
    admin_id: str
    client_version: str
    client_platform: str
    meta_heads: dict[str, str]  # device -> '{"device": ..., "model": ..., "session_id": "'
    request_tail: str  # '", "profile_id": ..., "agent": ...}'


class _PhraseText:
    """COPY fragments of one phrase, computed once."""

    def __init__(self, category, phrase: Phrase):
        self.category = _copy_text(category.name)
        self.workflow = _copy_text(category.workflow)
        self.webhook = _copy_text(category.webhook_url)
        self.command = _copy_text(phrase.said)
        self.said = [_copy_text(prefix + phrase.said) for prefix in SAID_PREFIXES]
        self.normalized = _copy_text(phrase.normalized)
        self.response = _copy_text(phrase.response)
        self.request_head = _json({"text": phrase.said, "session_id": "@"}).split("@")[0]
        self.ok_payload = _json({"ok": True, "reply": phrase.response, "workflow": category.workflow})
        self.audio_seconds = f"{max(0.6, len(phrase.response) / 14):.2f}"
        self.quick_action = QUICK_ACTION_BY_NORMALIZED.get(phrase.normalized, "\\N")
        self.typed = category.typed
        # Few distinct values on purpose: unique ids here would triple the cost of the GIN index on this column.
        steps, version = 3 + len(category.phrases) % 4, 1 + len(category.name) % 4
        self.execution = _json({"workflow_version": version, "steps": steps, "retries": 0})
        self.execution_retried = _json({"workflow_version": version, "steps": steps, "retries": 1})


class _FailureText:
    def __init__(self, failure: Failure):
        self.message = _copy_text(failure.message)
        self.response = _copy_text(failure.response) if failure.response else None
        self.payload = _json({"ok": False, "error": failure.message}) if failure.n8n_status_code else "\\N"
        self.status_code = _null(failure.n8n_status_code)
        self.meta_tail = f'", "error_type": "{failure.error_type}"}}'
        self.event = "\t".join(
            _copy_text(v) for v in (failure.event_type, failure.severity, failure.component, failure.message)
        )
        self.resolvable = failure.severity == "error"


class _Renderer:
    """Turns simulated days into COPY text for the four tables, in chunks."""

    def __init__(self, *, simulator, members, plan, clocks, today_limit, chunk_rows, seed):
        self.simulator = simulator
        self.members = members
        self.plan = plan  # [(day index, member index, count)] in time order
        self.clocks = clocks
        self.today_limit = today_limit
        self.chunk_rows = chunk_rows
        self.rng = random.Random(seed + 1)
        self.ids = _Ids()
        self.timing_text = [
            "\t".join(_null(v) for v in (t.processing_ms, t.whisper_ms, t.n8n_ms, t.tts_ms)) for t in simulator.timings
        ]
        self.n8n_ms_text = [_null(t.n8n_ms) for t in simulator.timings]
        self.phrases = {
            phrase: _PhraseText(category, phrase)
            for category in CATEGORIES
            for phrase in (*category.phrases, *category.follow_ups)
        }
        self.failures: dict[Failure, _FailureText] = {}
        self.counts = {"activity_logs": 0, "command_history": 0, "sessions": 0, "system_events": 0}

    def _failure(self, failure: Failure) -> _FailureText:
        text = self.failures.get(failure)
        if text is None:
            text = self.failures[failure] = _FailureText(failure)
        return text

    def chunks(self) -> Iterator[list[tuple[str, tuple[str, ...], bytes]]]:
        activity, history, sessions, events = [], [], [], []
        add_activity, add_history, add_session, add_event = (
            activity.append,
            history.append,
            sessions.append,
            events.append,
        )
        next_id = self.ids.next
        rand = self.rng.random
        simulate = self.simulator.sessions
        timing_text, n8n_ms_text, phrase_texts = self.timing_text, self.n8n_ms_text, self.phrases
        last_day = len(self.clocks) - 1
        current_day = -1
        for day_index, member_index, count in self.plan:
            clock = self.clocks[day_index]
            if day_index != current_day:
                current_day = day_index
                self._infrastructure_events(day_index, add_event)
                day_text = clock.day.strftime("%Y/%m/%d")
                resolvable_day = day_index <= last_day - 2
                next_clock = self.clocks[day_index + 1] if day_index < last_day else None
            member = self.members[member_index]
            pid = member.id
            limit = self.today_limit if day_index == last_day else DAY_SECONDS
            for session in simulate(role=member.role, voice=member.voice, count=count, limit=limit):
                sid = next_id()
                meta_head = member.meta_heads[session.device]
                request_tail = f"{sid}{member.request_tail}"
                errors = 0
                previous = "\\N"
                for command in session.commands:
                    aid = next_id()
                    ts = clock.at(command.at)
                    text = phrase_texts[command.phrase]
                    said = text.said[command.prefix]
                    status = command.status
                    failure = command.failure
                    parent = previous if command.follow_up else "\\N"
                    previous = aid
                    confidence = command.confidence or "\\N"
                    timing = timing_text[command.timing]
                    if status == "success":
                        if member.voice and not text.typed:
                            audio_url = f"{TRAY_AUDIO_URL}/{aid}.mp3"
                            voice = (
                                f"{member.voice_id}\t{aid.replace('-', '')}\t"
                                f"{AUDIO_DIRECTORY}/{day_text}/{aid}.mp3\t{text.audio_seconds}"
                            )
                        else:
                            audio_url = "\\N"
                            voice = "\\N\t\\N\t\\N\t\\N"
                        add_activity(
                            f"{aid}\t{pid}\t{ts}\t{said}\t{confidence}\t{text.response}\t{audio_url}\tsuccess\t"
                            f'{timing}\t\\N\t{meta_head}{sid}"}}\t{text.webhook}\t{parent}\n'
                        )
                        typed = f"t\t{TYPING_APPS[int(rand() * 4)]}" if text.typed else "f\t\\N"
                        add_history(
                            f"{next_id()}\t{ts}\t{pid}\t{text.command}\t{said}\t{text.normalized}\t{text.category}\t"
                            f"{text.workflow}\t{text.webhook}\t{text.request_head}{request_tail}\t{text.ok_payload}\t"
                            f"{n8n_ms_text[command.timing]}\t200\t{voice}\t{typed}\t{text.quick_action}\t"
                            f"{'t' if command.favorite else 'f'}\t{text.execution}\n"
                        )
                    elif failure is not None:
                        errors += 1
                        ftext = self._failure(failure)
                        calls_n8n = failure.calls_n8n
                        webhook = text.webhook if calls_n8n else "\\N"
                        response = text.response if failure.calls_tts else (ftext.response or "\\N")
                        add_activity(
                            f"{aid}\t{pid}\t{ts}\t{said}\t{confidence}\t{response}\t\\N\t{status}\t{timing}\t"
                            f"{ftext.message}\t{meta_head}{sid}{ftext.meta_tail}\t{webhook}\t{parent}\n"
                        )
                        if calls_n8n:
                            n8n = (
                                f"{text.webhook}\t{text.request_head}{request_tail}\t"
                                f"{text.ok_payload if failure.calls_tts else ftext.payload}\t"
                                f"{n8n_ms_text[command.timing]}\t{ftext.status_code}"
                            )
                        else:
                            n8n = "\\N\t\\N\t\\N\t\\N\t\\N"
                        voice = f"{member.voice_id}\t{aid.replace('-', '')}" if failure.calls_tts else "\\N\t\\N"
                        add_history(
                            f"{next_id()}\t{ts}\t{pid}\t{text.command}\t{said}\t{text.normalized}\t{text.category}\t"
                            f"{text.workflow}\t{n8n}\t{voice}\t\\N\t\\N\tf\t\\N\t{text.quick_action}\tf\t"
                            f"{text.execution_retried if calls_n8n else text.execution}\n"
                        )
                        resolved = "\\N\t\\N"
                        if ftext.resolvable and resolvable_day and rand() < 0.7:
                            resolved = f"{next_clock.at(28_800 + rand() * 7200)}\t{member.admin_id}"
                        add_event(
                            f"{next_id()}\t{ts}\t{ftext.event}\t"
                            f'{{"activity_id": "{aid}", "error_type": "{failure.error_type}", '
                            f'"workflow": "{text.workflow}"}}\t{pid}\t{sid}\t{resolved}\n'
                        )
                    else:  # stuck pending or processing: no answer, no history
                        add_activity(
                            f"{aid}\t{pid}\t{ts}\t{said}\t{confidence}\t\\N\t\\N\t{status}\t{timing}\t\\N\t"
                            f'{meta_head}{sid}"}}\t\\N\t{parent}\n'
                        )
                add_session(
                    f"{sid}\t{pid}\t{clock.at(session.start)}\t{clock.at(session.end)}\t{len(session.commands)}\t"
                    f"{errors}\t{member.client_version}\t{member.client_platform}\t"
                    f'{{"device": "{session.device}"}}\n'
                )
            if len(activity) >= self.chunk_rows:
                yield self._flush(activity, history, sessions, events)
        yield self._flush(activity, history, sessions, events)

    def _infrastructure_events(self, day_index: int, add_event) -> None:
        """The tray's own events of a day: nightly backup, start-up, health checks, slow n8n now and then."""
        clock = self.clocks[day_index]
        limit = self.today_limit if day_index == len(self.clocks) - 1 else DAY_SECONDS
        rand = self.rng.random
        entries = [(hour * 3600 + rand() * spread, *event) for hour, spread, *event in _DAILY_EVENTS]
        if rand() < 0.3:
            entries.append((9 * 3600 + rand() * 43200, *_SLOW_N8N_EVENT))
        for at, event_type, severity, component, message, metadata in entries:
            if at < limit:
                add_event(
                    f"{self.ids.next()}\t{clock.at(at)}\t{event_type}\t{severity}\t{component}\t{message}\t"
                    f"{_json(metadata)}\t\\N\t\\N\t\\N\t\\N\n"
                )

    def _flush(self, activity, history, sessions, events) -> list[tuple[str, tuple[str, ...], bytes]]:
        chunk = []
        for table, columns, lines in (
            ("sessions", SESSION_COLUMNS, sessions),
            ("activity_logs", ACTIVITY_COLUMNS, activity),
            ("command_history", HISTORY_COLUMNS, history),
            ("system_events", EVENT_COLUMNS, events),
        ):
            if lines:
                self.counts[table] += len(lines)
                chunk.append((table, columns, "".join(lines).encode()))
                lines.clear()
        return chunk


def _allocation(*, rows: int, members: list[_Member], days: list[date], today_share: float, seed: int):
    """Spread `rows` over (day, member) by habit, weekday and chance; every member gets at least one row."""
    rng = random.Random(seed)
    levels = [rng.lognormvariate(0, 0.35) for _ in members]
    weights = []
    for day_index, day in enumerate(days):
        weekday = day.weekday()
        day_factor = today_share if day_index == len(days) - 1 else 1.0
        for member_index, member in enumerate(members):
            habits = ROLE_HABITS[member.role]
            present = member.role != "guest" or rng.random() < 0.3
            weight = habits.daily_commands * (habits.weekend_factor if weekday >= 5 else 1.0)
            weight *= levels[member_index] * rng.lognormvariate(0, 0.25) * day_factor if present else 0.0
            weights.append(weight)
    total = sum(weights) or 1.0
    shares = [rows * w / total for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[: rows - sum(counts)]:
        counts[i] += 1
    width = len(members)
    for member_index in range(width):
        cells = range(member_index, len(counts), width)
        if rows >= width and not any(counts[i] for i in cells):
            counts[max(range(len(counts)), key=counts.__getitem__)] -= 1
            counts[max(cells, key=weights.__getitem__)] += 1
    return [(i // width, i % width, c) for i, c in enumerate(counts) if c]


def _members(profiles: list[UserProfile]) -> list[_Member]:
    admins = {}
    for profile in profiles:
        if profile.permission_level == PermissionLevel.ADMIN:
            admins.setdefault(profile.settings.get("household"), str(profile.pk))
    members = []
    for index, profile in enumerate(profiles):
        pid = str(profile.pk)
        role = profile.permission_level
        model = "small" if role == PermissionLevel.ADMIN else "base"
        version, platform = CLIENTS[index % len(CLIENTS)]
        agent = profile.preferred_agent or _AGENTS[role]
        members.append(
            _Member(
                id=pid,
                role=role,
                voice=profile.response_mode != ResponseMode.TEXT_ONLY and bool(profile.voice_id),
                voice_id=_copy_text(profile.voice_id) if profile.voice_id else "\\N",
                admin_id=admins.get(profile.settings.get("household"), next(iter(admins.values()), pid)),
                client_version=version,
                client_platform=platform,
                meta_heads={
                    device: f'{{"device": "{device}", "model": "{model}", "session_id": "'
                    for device in ROLE_HABITS[role].devices
                },
                request_tail=f'", "profile_id": "{pid}", "agent": {_json(agent)}}}',
            )
        )
    return members


class _Abort(Exception):
    """Tells a lane to roll back."""


class _Lane(threading.Thread):
    """One PostgreSQL connection that loads some of the tables in a transaction of its own.

    It drops the tables' secondary indexes (when asked), COPYs the chunks it is
    handed, rebuilds the indexes and analyses the tables, then waits for the
    verdict: commit only when every lane got that far.
    """

    def __init__(
        self, *, tables: tuple[str, ...], profile_ids: list, rebuild_indexes: bool, progress: Callable[[str], None]
    ):
        super().__init__(name=f"generate_activity {'+'.join(tables)}", daemon=True)
        self.tables = tables
        self.profile_ids = profile_ids
        self.rebuild_indexes = rebuild_indexes
        self.progress = progress
        self.inbox: queue.Queue = queue.Queue(maxsize=3)
        self.verdict: queue.Queue = queue.Queue(maxsize=1)
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.indexes_rebuilt = 0
        self.load_seconds = self.index_seconds = self.analyze_seconds = 0.0

    def run(self):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    self._load(cursor)
                self.ready.set()
                if self.verdict.get() is not True:
                    raise _Abort
        except _Abort:
            pass
        except BaseException as error:  # handed to the orchestrating thread, which raises it
            self.error = error
        finally:
            self.ready.set()
            connection.close()

    def _load(self, cursor) -> None:
        # Check foreign keys at the end of each COPY, not at commit: pending deferred checks
        # would block CREATE INDEX and pile up millions of trigger events in memory.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # The members stay until this commits, so every profile_id written stays valid.
        cursor.execute("SELECT 1 FROM user_profiles WHERE id = ANY(%s) FOR KEY SHARE", [self.profile_ids])
        if _may_skip_row_triggers(cursor, self.tables):
            # Rows reference only the members locked above: the per-row foreign-key check
            # (a third of the server's COPY time) proves nothing more. Superusers only.
            cursor.execute("SET LOCAL session_replication_role = replica")
        dropped = _secondary_indexes(cursor, self.tables) if self.rebuild_indexes else []
        for name, _ in dropped:
            cursor.execute(f"DROP INDEX {name}")
        started = time.perf_counter()
        while (chunk := self.inbox.get()) is not None:
            if chunk is _Abort:
                raise _Abort
            for table, columns, data in chunk:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(data)
        self.load_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for name, definition in dropped:
            one_started = time.perf_counter()
            cursor.execute(definition)
            self.progress(f"  rebuilt index {name} in {time.perf_counter() - one_started:.1f} s")
        self.indexes_rebuilt = len(dropped)
        self.index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        cursor.execute(f"ANALYZE {', '.join(self.tables)}")
        self.analyze_seconds = time.perf_counter() - started

    def hand(self, item) -> None:
        """Queue a chunk (or the end) for this lane; give up if the lane has stopped."""
        while self.is_alive() and not self.ready.is_set():
            try:
                self.inbox.put(item, timeout=0.2)
                return
            except queue.Full:
                continue
        if self.error is not None:
            raise self.error
        raise RuntimeError(f"The {self.name} loader stopped early.")


def _may_skip_row_triggers(cursor, tables: tuple[str, ...]) -> bool:
    """Whether this login may turn off row triggers and no trigger of ours would fire on the rows we insert.

    Only a trigger that fires on INSERT (bit 4 of pg_trigger.tgtype) could miss a loaded row; one that
    fires on UPDATE or DELETE only (a change history, say) has nothing to do during a COPY, so it must
    not cost the load its fast path. Foreign-key checks are internal triggers: see `_Lane._load`.
    """
    cursor.execute(
        """
        SELECT current_setting('is_superuser') = 'on'
           AND NOT EXISTS (
               SELECT 1 FROM pg_trigger
               WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal AND tgtype::integer & 4 <> 0
           )
        """,
        [list(tables)],
    )
    return cursor.fetchone()[0]


def _secondary_indexes(cursor, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the tables' indexes that back no constraint.

    A model's index is recreated with the very SQL its migration ran (pg_get_indexdef
    can come back as a different text of the same index); any other with its stored definition.
    """
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY i.indrelid, i.indexrelid
        """,
        [list(tables)],
    )
    stored = cursor.fetchall()
    editor = connection.schema_editor(collect_sql=True)
    declared = {
        index.name: str(index.create_sql(model, editor))
        for model in (ActivityLog, CommandHistory, Session, SystemEvent)
        if model._meta.db_table in tables
        for index in model._meta.indexes
    }
    return [(name, declared.get(name, definition)) for name, definition in stored]


def _should_rebuild_indexes(*, rows: int, mode: str) -> bool:
    if mode != "auto":
        return mode == "rebuild"
    if rows < REBUILD_INDEXES_FROM:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'activity_logs'::regclass")
        estimate = cursor.fetchone()[0]
        if estimate < 0:  # never analysed
            cursor.execute("SELECT count(*) FROM activity_logs")
            estimate = cursor.fetchone()[0]
    return estimate <= rows


def _load(
    renderer: _Renderer, *, rows: int, profile_ids: list, rebuild_indexes: bool, progress: Callable[[str], None]
) -> list[_Lane]:
    """Render here and COPY in two lanes at once; commit both or neither.

    The lanes carry about the same weight: command history is the widest table.
    """
    lanes = {
        table: lane
        for tables in (("activity_logs", "sessions", "system_events"), ("command_history",))
        for lane in [_Lane(tables=tables, profile_ids=profile_ids, rebuild_indexes=rebuild_indexes, progress=progress)]
        for table in lane.tables
    }
    distinct = list(dict.fromkeys(lanes.values()))
    for lane in distinct:
        lane.start()
    started = last_report = time.perf_counter()
    try:
        for chunk in renderer.chunks():
            for lane in distinct:
                lane.hand([part for part in chunk if lanes[part[0]] is lane])
            now = time.perf_counter()
            if now - last_report >= 2.0:
                last_report = now
                done = renderer.counts["activity_logs"]
                rate = done / (now - started)
                progress(f"  {done:,} / {rows:,} activity rows sent ({rate:,.0f} rows/s)")
        for lane in distinct:
            lane.hand(None)
        for lane in distinct:
            lane.ready.wait()
        failed = next((lane.error for lane in distinct if lane.error is not None), None)
        if failed is not None:
            raise failed
        # Every lane is ready: commit one after the other, and roll back the rest if a commit fails.
        for lane in distinct:
            lane.verdict.put(True)
            lane.join()
            if lane.error is not None:
                raise lane.error
    finally:
        for lane in distinct:
            if lane.is_alive():
                if not lane.ready.is_set():
                    lane.inbox.put(_Abort)
                lane.verdict.put(False)
                lane.join()
    return distinct


def _in_parallel(*calls: Callable[[], object]) -> list:
    """Run each call in a thread of its own (so on a database connection of its own); raise the first error."""
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index, call):
        try:
            results[index] = call()
        except BaseException as error:  # raised below, in the calling thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@transaction.atomic
def _statistics_rebuild(**arguments) -> RefreshResult:
    """usage_statistics_rebuild in one transaction with room to sort in memory (a fifth faster at 10M rows)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
    return usage_statistics_rebuild(**arguments)


def activity_generate(
    *,
    rows: int,
    days: int = 90,
    profiles: int | None = None,
    seed: int = 1,
    indexes: str = "auto",
    chunk_rows: int = 50_000,
    progress: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Load `rows` synthetic commands over the last `days` local days (today included) for generated members.

    Each finished command gets its command_history row; sessions and system events
    come with them. `indexes`: "auto" (drop and rebuild the secondary indexes when
    loading at least as many rows as the table holds), "rebuild" or "keep".

    It commits as it goes, so it refuses to run inside a transaction: the members
    first, then the four tables through two connections at once (both commit or
    neither does), then the statistics, again on two connections.
    """
    if rows < 1 or days < 1:
        raise ValueError("rows and days must be at least 1.")
    if profiles is not None and profiles < 1:
        raise ValueError("profiles must be at least 1.")
    if indexes not in ("auto", "rebuild", "keep"):
        raise ValueError("indexes is auto, rebuild or keep.")
    if connection.in_atomic_block:
        raise RuntimeError("activity_generate commits as it goes: call it outside a transaction.")
    progress = progress or (lambda message: None)
    report = GenerationReport(rows=rows, days=days)
    started = time.perf_counter()
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.localtime(timezone=zone)
    today = now.date()
    day_list = [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]
    today_limit = max(1.0, now.hour * 3600 + now.minute * 60 + now.second - 1.0)

    with transaction.atomic():
        generated = generated_profiles_ensure(count=profiles or default_profile_count(rows=rows, days=days))
    members = _members(generated)
    report.profiles = len(members)
    plan = _allocation(rows=rows, members=members, days=day_list, today_share=today_limit / DAY_SECONDS, seed=seed)
    renderer = _Renderer(
        simulator=FamilySimulator(seed),
        members=members,
        plan=plan,
        clocks=[_DayClock(day, zone) for day in day_list],
        today_limit=today_limit,
        chunk_rows=chunk_rows,
        seed=seed,
    )
    rebuild = _should_rebuild_indexes(rows=rows, mode=indexes)
    connection.close()  # the lanes use connections of their own
    progress(
        f"Loading {rows:,} commands for {len(members):,} members over {days} days "
        f"({'rebuilding' if rebuild else 'keeping'} the secondary indexes)..."
    )
    load_started = time.perf_counter()
    lanes = _load(
        renderer, rows=rows, profile_ids=[p.pk for p in generated], rebuild_indexes=rebuild, progress=progress
    )
    loaded = time.perf_counter() - load_started
    report.index_seconds = max(lane.index_seconds for lane in lanes)
    report.analyze_seconds = max(lane.analyze_seconds for lane in lanes)
    report.load_seconds = loaded - report.index_seconds - report.analyze_seconds
    report.indexes_rebuilt = sum(lane.indexes_rebuilt for lane in lanes)
    report.history_rows = renderer.counts["command_history"]
    report.sessions = renderer.counts["sessions"]
    report.events = renderer.counts["system_events"]
    progress(
        f"Loaded {rows:,} activity, {report.history_rows:,} history, {report.sessions:,} session and "
        f"{report.events:,} event rows in {loaded:.1f} s, indexes and ANALYZE included."
    )

    progress("Bringing usage statistics to the truth...")
    statistics_started = time.perf_counter()
    halves = ([p.pk for p in generated[0::2]], [p.pk for p in generated[1::2]])
    results = _in_parallel(
        *(
            partial(_statistics_rebuild, since=day_list[0], until=today, profile_ids=half, progress=progress)
            for half in halves
            if half
        )
    )
    report.statistics = sum(results, RefreshResult())
    report.statistics_seconds = time.perf_counter() - statistics_started
    report.total_seconds = time.perf_counter() - started
    return report
