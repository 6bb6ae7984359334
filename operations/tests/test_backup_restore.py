"""Backup, reset and restore against a real server: the round trip loses nothing."""

import pytest

from operations.tests.helpers import manage, table_fingerprints

pytestmark = pytest.mark.django_db


def fingerprints_without_restore_event(login):
    prints = table_fingerprints(login)
    with login.connect() as conn:
        prints["system_events"] = conn.execute(
            "SELECT count(*), md5(string_agg(t::text, chr(10) ORDER BY t::text)) FROM system_events t "
            "WHERE event_type <> 'ops.restore'"
        ).fetchone()
    return prints


def test_backup_reset_restore_round_trip_keeps_every_row_of_every_table(scratch_login, tmp_path):
    assert manage(["tonny_reset", "--with-samples", "--yes"], login=scratch_login).returncode == 0
    before = fingerprints_without_restore_event(scratch_login)
    backup = tmp_path / "family.dump"

    made = manage(["tonny_backup", str(backup)], login=scratch_login)
    reset = manage(["tonny_reset", "--yes"], login=scratch_login)
    emptied = table_fingerprints(scratch_login)
    restored = manage(["tonny_restore", str(backup), "--yes"], login=scratch_login)

    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 10_000
    assert reset.returncode == 0, reset.stderr
    assert emptied["user_profiles"][0] == 0
    assert restored.returncode == 0, restored.stderr
    after = fingerprints_without_restore_event(scratch_login)
    assert before["user_profiles"][0] > 0 and before["activity_logs"][0] > 0
    assert after == before


def test_default_backup_name_is_timestamped_under_the_backup_folder(scratch_login, tmp_path):
    manage(["migrate", "--noinput"], login=scratch_login)

    result = manage(["tonny_backup"], login=scratch_login, TONNY_BACKUP_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    [written] = tmp_path.iterdir()
    assert written.name.startswith(f"{scratch_login.dbname}-") and written.suffix == ".dump"


def test_restore_refuses_a_file_that_is_not_a_backup_and_changes_nothing(scratch_login, tmp_path):
    manage(["migrate", "--noinput"], login=scratch_login)
    before = table_fingerprints(scratch_login)
    bogus = tmp_path / "notes.dump"
    bogus.write_text("not a backup")

    result = manage(["tonny_restore", str(bogus), "--yes"], login=scratch_login)

    assert result.returncode == 1
    assert "is not a backup pg_restore can read" in result.stderr
    assert table_fingerprints(scratch_login) == before


def test_restore_and_reset_ask_first_and_refuse_without_a_terminal(scratch_login, tmp_path):
    manage(["migrate", "--noinput"], login=scratch_login)
    backup = tmp_path / "b.dump"
    manage(["tonny_backup", str(backup)], login=scratch_login)
    before = table_fingerprints(scratch_login)

    restore = manage(["tonny_restore", str(backup)], login=scratch_login)
    reset = manage(["tonny_reset"], login=scratch_login)

    assert (restore.returncode, reset.returncode) == (1, 1)
    assert "run it again with --yes" in restore.stderr and "DELETES EVERY MEMBER" in reset.stderr
    assert table_fingerprints(scratch_login) == before


def test_backup_into_a_folder_name_is_refused(scratch_login, tmp_path):
    result = manage(["tonny_backup", str(tmp_path)], login=scratch_login)

    assert result.returncode == 1 and "is a folder" in result.stderr
