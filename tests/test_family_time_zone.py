"""With TIME_ZONE unset, the family lives in the host's zone (not UTC); TIME_ZONE always wins."""

import pytest
from django.core.management import call_command

from tests.helpers import home_setting
from tonnysite.env import host_time_zone


@pytest.fixture
def no_tz(monkeypatch):
    monkeypatch.delenv("TZ", raising=False)


def zone_link(tmp_path, name: str):
    target = tmp_path / "usr" / "share" / "zoneinfo" / name
    target.parent.mkdir(parents=True)
    target.write_bytes(b"TZif")
    link = tmp_path / "localtime"
    link.symlink_to(target)
    return link


def test_tz_variable_names_the_host_zone(monkeypatch, tmp_path):
    monkeypatch.setenv("TZ", ":America/Chicago")
    assert host_time_zone(localtime=zone_link(tmp_path, "Asia/Tokyo")) == "America/Chicago"


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/Argentina/Buenos_Aires", "US/Eastern"])
def test_the_zone_file_localtime_points_to_names_the_host_zone(no_tz, tmp_path, name):
    assert host_time_zone(localtime=zone_link(tmp_path, name), timezone_file=tmp_path / "none") == name


def test_debian_timezone_file_is_read_when_localtime_is_no_link(no_tz, tmp_path):
    (tmp_path / "timezone").write_text("Australia/Perth\n")
    assert host_time_zone(localtime=tmp_path / "none", timezone_file=tmp_path / "timezone") == "Australia/Perth"


def test_unknown_names_fall_back_to_utc(no_tz, tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Mars/Olympus_Mons")
    (tmp_path / "timezone").write_text("not a zone")
    assert host_time_zone(localtime=zone_link(tmp_path, "Nowhere/Town"), timezone_file=tmp_path / "timezone") == "UTC"


def test_settings_take_the_host_zone_when_time_zone_is_unset():
    assert home_setting("TIME_ZONE", TZ="Asia/Tokyo") == "Asia/Tokyo"


def test_time_zone_setting_wins_over_the_host_zone():
    assert home_setting("TIME_ZONE", TZ="Asia/Tokyo", TIME_ZONE="Europe/Berlin") == "Europe/Berlin"


@pytest.mark.django_db
def test_make_run_says_which_zone_the_family_lives_in(settings, capsys):
    settings.TIME_ZONE = "Europe/Berlin"
    call_command("ensure_family_admin")
    assert "Family time zone: Europe/Berlin" in capsys.readouterr().out
