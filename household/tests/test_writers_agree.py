"""The COPY writer (generate_activity) and the sample writer (load_samples) store the same rows.

Both map simulated days with `household.rows.HouseholdRows`; each writer only spells
and stores the values. For one seed, plan and set of members, the rows each writer
stores must be equal column by column: as values (the COPY text read back) and as
rows in PostgreSQL (COPY into the tables against bulk_create and activity_record_many).
"""

import itertools
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from household.command_catalog import PARENTAL_CONTROLS
from household.copy_load import ChunkRenderer, copy_value
from household.rows import TABLE_COLUMNS, Day, HouseholdRows, as_is
from household.sample_family import SAMPLE_MARKER
from household.samples import household_rows_save
from profiles.models import PermissionLevel, ResponseMode
from profiles.tests.factories import UserProfileFactory

pytestmark = pytest.mark.django_db

SEED = 3
ZONE = ZoneInfo("Europe/Berlin")
FIRST_DAY = date(2024, 3, 30)  # the clocks go forward on the second day
COMMANDS_PER_DAY = 60
# Characters COPY must escape, in values that reach text and JSON columns.
AWKWARD = 'tab\there, new\nline, return\r, back\\slash, "quotes" and \\N'


@pytest.fixture
def profiles():
    return [
        UserProfileFactory(permission_level=PermissionLevel.ADMIN, response_mode=ResponseMode.BOTH),
        UserProfileFactory(permission_level=PermissionLevel.USER, response_mode=ResponseMode.VOICE_ONLY),
        # The kid and the guest have parental controls: hours, limits and refusals (a weekend and a school day).
        UserProfileFactory(
            permission_level=PermissionLevel.KID,
            response_mode=ResponseMode.VOICE_ONLY,
            preferred_agent=AWKWARD,
            **PARENTAL_CONTROLS["kid"],
        ),
        UserProfileFactory(
            permission_level=PermissionLevel.GUEST,
            response_mode=ResponseMode.TEXT_ONLY,
            voice_id=None,
            **PARENTAL_CONTROLS["guest"],
        ),
        # Text only but with a voice: a failed spoken answer still names the voice.
        UserProfileFactory(
            permission_level=PermissionLevel.ADMIN, response_mode=ResponseMode.TEXT_ONLY, voice_id=f"v\\{AWKWARD}"
        ),
    ]


def household_rows(profiles, *, spell) -> tuple[HouseholdRows, list]:
    """The same rows for either writer: seed, ids, members and plan fixed, only the spelling chosen."""
    counter = itertools.count(1)
    rows = HouseholdRows(
        seed=SEED, next_id=lambda: f"00000000-0000-4000-8000-{next(counter):012x}", marker=SAMPLE_MARKER, spell=spell
    )
    admin = str(profiles[0].pk)
    members = [rows.member(profile, index=index, admin_id=admin) for index, profile in enumerate(profiles)]
    days = [
        Day(FIRST_DAY + timedelta(days=n), ZONE, limit=15 * 3600.0 if n == 2 else 86_400.0, resolvable=n < 2)
        for n in range(3)
    ]
    return rows, [(day, member, COMMANDS_PER_DAY) for day in days for member in members]


def copy_chunks(profiles) -> list:
    rows, plan = household_rows(profiles, spell=copy_value)
    return list(ChunkRenderer(rows=rows, plan=plan, chunk_rows=100).chunks())


def sample_values(profiles) -> dict[str, list[tuple]]:
    rows, plan = household_rows(profiles, spell=as_is)
    for _ in rows.plan(plan):
        pass
    return rows.tables


_UNESCAPE = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def copy_read(data: bytes) -> list[tuple]:
    """COPY text back to values, as PostgreSQL reads it: a field that is exactly \\N is NULL."""
    return [
        tuple(None if field == "\\N" else re.sub(r"\\[\\tnr]", lambda m: _UNESCAPE[m[0]], field) for field in line)
        for line in (line.split("\t") for line in data.decode().split("\n")[:-1])
    ]


def stored(tables=TABLE_COLUMNS) -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        result = {}
        for table, columns in tables.items():
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id")
            result[table] = cursor.fetchall()
    return result


def test_the_story_covers_every_kind_of_row(profiles):
    values = sample_values(profiles)
    activity = {
        column: [row[i] for row in values["activity_logs"]] for i, column in enumerate(TABLE_COLUMNS["activity_logs"])
    }
    assert {"success", "failed", "timeout", "pending", "processing"} <= set(activity["status"])
    assert any(activity["parent_command_id"]) and any(activity["response_audio_url"])
    history = values["command_history"]
    assert any(row[18] for row in history)  # typing_target_app: dictation
    assert any(row[13] and row[13].startswith("v\\") for row in history)  # the text-only admin's voice, on a TTS error
    events = values["system_events"]
    assert {row[2] for row in events} >= {
        "transcription_failed", "n8n_workflow_error", "device_unreachable", "tts_failed", "command_blocked",
        "n8n_timeout", "backup_completed", "health_check",
    }  # fmt: skip
    assert any(row[9] for row in events)  # resolved the next morning


def test_copy_text_reads_back_as_the_values_the_sample_writer_stores(profiles):
    copied = {table: [] for table in TABLE_COLUMNS}
    for chunk in copy_chunks(profiles):
        for table, columns, data in chunk:
            assert columns == TABLE_COLUMNS[table]
            copied[table] += copy_read(data)
    assert copied == sample_values(profiles)


def test_both_writers_store_the_same_rows(profiles):
    with transaction.atomic():
        with connection.cursor() as cursor:
            for chunk in copy_chunks(profiles):
                for table, columns, data in chunk:  # as the generator's lanes load them
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        copy.write(data)
        by_copy = stored()
        transaction.set_rollback(True)
    assert stored() == dict.fromkeys(TABLE_COLUMNS, [])

    rows, plan = household_rows(profiles, spell=as_is)
    for _ in rows.plan(plan):
        pass
    household_rows_save(rows=rows)
    by_models = stored()

    assert all(by_copy.values())
    for table in TABLE_COLUMNS:
        assert by_models[table] == by_copy[table], table
