"""Forms of the parental-controls page: they turn boxes into values; parental.services checks and saves."""

from __future__ import annotations

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from parental import rules, services
from profiles.services import pin_validate
from tonnysite.clock import family_zone
from tonnysite.familyadmin.forms import lines_of, service_errors_to_form

_WINDOW_LINE = re.compile(r"\s*(\d{1,2}:\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}:\d{2})\s*")
_HOLIDAY_LINE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*(?:(?:-|–|—|to)\s*(\d{4}-\d{2}-\d{2}))?\s*(.*)")

PAUSE_CHOICES = [
    ("15", "15 minutes"),
    ("30", "30 minutes"),
    ("60", "1 hour"),
    ("120", "2 hours"),
    ("240", "4 hours"),
    ("1440", "24 hours"),
    ("resume", "until I resume it"),
]


def windows_text(windows) -> str:
    return "\n".join(window.label() for window in windows or ())


def minutes_field(label: str, *, help_text: str) -> forms.IntegerField:
    """An optional number of minutes in a day (0 to 1440)."""
    widget = forms.NumberInput(attrs={"min": 0, "max": 1440, "class": "vIntegerField"})
    return forms.IntegerField(label=label, required=False, widget=widget, help_text=help_text)


def lines_field(label: str, *, rows: int, cols: int, help_text: str) -> forms.CharField:
    """An optional box of one entry a line (windows, commands, holidays)."""
    widget = forms.Textarea(attrs={"rows": rows, "cols": cols, "class": "policy-lines"})
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text)


def pin_field(*, help_text: str) -> forms.CharField:
    """A new PIN: typed hidden, never shown back, offered to a password manager as a new secret."""
    widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password", "inputmode": "numeric"})
    return forms.CharField(label="New PIN", required=False, strip=True, widget=widget, help_text=help_text)


class ParentalControlsForm(forms.Form):
    daily_limit_minutes = minutes_field(
        "Daily limit",
        help_text="Minutes a day on any day, unless a school-day or weekend limit says otherwise. Blank: no limit.",
    )
    school_day_limit = minutes_field(
        "School-day limit",
        help_text="Minutes on school days (Monday to Friday, except holidays). Blank: the daily limit applies.",
    )
    weekend_limit = minutes_field(
        "Weekend limit",
        help_text="Minutes on weekends, public holidays and family holidays. Blank: the daily limit applies.",
    )
    windows_school_day = lines_field(
        "Allowed hours on school days",
        rows=3,
        cols=24,
        help_text="One window a line, like 07:00–07:45 or 21:00–07:00 (crosses midnight). The start is "
        "included, the end is not. Blank: any time.",
    )
    windows_weekend = lines_field(
        "Allowed hours on weekends and holidays",
        rows=3,
        cols=24,
        help_text="One window a line, like 09:00–20:30. Blank: any time.",
    )
    allowed_commands = lines_field(
        "Allowed commands",
        rows=8,
        cols=40,
        help_text="One command a line. When there is a list, only these commands are allowed. Case, "
        "punctuation and underscores do not matter; * stands for any words (play * music). Blank: no list.",
    )
    blocked_commands = lines_field(
        "Blocked commands",
        rows=8,
        cols=40,
        help_text="One command or word a line; any command that contains it is refused (buy blocks "
        "“buy a game”). Blocked wins over allowed.",
    )

    def clean(self):
        cleaned = super().clean()
        for day_type, name in rules.WINDOW_FIELDS.items():
            text = cleaned.get(name) or ""
            label = rules.DayType(day_type).label.capitalize()
            pairs = []
            for number, line in enumerate(lines_of(text), start=1):
                match = _WINDOW_LINE.fullmatch(line)
                start = rules.clock_minutes(match[1].zfill(5)) if match else None
                end = rules.clock_minutes(match[2].zfill(5)) if match else None
                if start is None or end is None:
                    self.add_error(
                        name,
                        f"{label}, line {number}: “{line[:40]}” is not a window like 07:00–21:00 (00:00 to 23:59).",
                    )
                    break
                pairs.append((start, end))
            cleaned[f"{name}_pairs"] = pairs
        return cleaned

    @classmethod
    def initial_for(cls, profile) -> dict:
        controls = rules.controls_of(profile.usage_limits)
        return {
            "daily_limit_minutes": controls.daily_limit,
            "school_day_limit": controls.school_day_limit,
            "weekend_limit": controls.weekend_limit,
            "windows_school_day": windows_text(controls.windows_for(rules.DayType.SCHOOL_DAY)),
            "windows_weekend": windows_text(controls.windows_for(rules.DayType.WEEKEND)),
            "allowed_commands": "\n".join(profile.allowed_commands or []),
            "blocked_commands": "\n".join(profile.blocked_commands or []),
        }

    def save(self, profile) -> None:
        """Save through parental_controls_save; its ValidationError lands on the fields it names."""
        data = self.cleaned_data
        try:
            services.parental_controls_save(
                profile=profile,
                daily_limit_minutes=data.get("daily_limit_minutes"),
                school_day_limit=data.get("school_day_limit"),
                weekend_limit=data.get("weekend_limit"),
                windows={day_type: data[f"{name}_pairs"] for day_type, name in rules.WINDOW_FIELDS.items()},
                allowed_commands=lines_of(data.get("allowed_commands") or "") or None,
                blocked_commands=lines_of(data.get("blocked_commands") or "") or None,
            )
        except ValidationError as error:
            service_errors_to_form(self, error)
            raise


class PinForm(forms.Form):
    pin = pin_field(help_text="4 to 8 digits (0-9). Only its bcrypt hash is stored; it is never shown again.")
    clear_pin = forms.BooleanField(label="Remove the PIN", required=False)

    def clean(self):
        cleaned = super().clean()
        pin, clear = cleaned.get("pin"), cleaned.get("clear_pin")
        if pin and clear:
            raise ValidationError("Either set a new PIN or remove it, not both.")
        if not pin and not clear:
            raise ValidationError("Type a new PIN, or tick “Remove the PIN”.")
        if pin:
            try:
                pin_validate(pin=pin)
            except ValidationError as error:
                self.add_error("pin", error)
        return cleaned


class PauseForm(forms.Form):
    pause_for = forms.ChoiceField(label="Pause Tonny for", choices=PAUSE_CHOICES, initial="60")


class FamilyCalendarForm(forms.Form):
    country = forms.CharField(
        label="Country",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"size": 8}),
        help_text="Its public holidays are not school days: a code such as DE, FR, GB, US, or DE-BY with a "
        "region. Blank: none.",
    )
    holidays = lines_field(
        "Family holidays",
        rows=3,
        cols=40,
        help_text="One range a line: 2026-12-21 – 2027-01-06 Winter break (a single day: 2026-05-15 Bridge day). "
        "These days are not school days.",
    )

    def clean_holidays(self) -> list[tuple[date, date, str]]:
        ranges = []
        for number, line in enumerate(lines_of(self.cleaned_data["holidays"]), start=1):
            match = _HOLIDAY_LINE.fullmatch(line)
            try:
                first = date.fromisoformat(match[1]) if match else None
                last = date.fromisoformat(match[2]) if match and match[2] else first
            except ValueError:
                first = None
            if first is None:
                raise ValidationError(
                    f"Line {number}: “{line[:40]}” is not a range like 2026-12-21 – 2027-01-06 Winter break."
                )
            ranges.append((first, last, match[3].strip() or "Family holiday"))
        return ranges

    @classmethod
    def initial_for(cls, calendar: rules.FamilyCalendar) -> dict:
        return {
            "country": calendar.country or "",
            "holidays": "\n".join(f"{h.first.isoformat()} – {h.last.isoformat()} {h.name}" for h in calendar.holidays),
        }

    def save(self, *, updated_by) -> None:
        try:
            services.family_calendar_save(
                country=self.cleaned_data["country"], holidays=self.cleaned_data["holidays"], updated_by=updated_by
            )
        except ValidationError as error:
            service_errors_to_form(self, error)
            raise


class PreviewForm(forms.Form):
    """ "What would happen": a command and a moment on the family's wall clock (default now)."""

    command = forms.CharField(label="Command", max_length=500, widget=forms.TextInput(attrs={"size": 36}))
    at = forms.DateTimeField(
        label="At",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Blank: now.",
    )

    def clean_at(self) -> datetime | None:
        moment = self.cleaned_data.get("at")
        if moment is None:
            return None
        # The form's time is on the family's wall clock, whatever the server's default zone.
        naive = timezone.make_naive(moment) if timezone.is_aware(moment) else moment
        try:
            return naive.replace(tzinfo=family_zone())
        except (OverflowError, ValueError) as error:
            raise ValidationError("That moment is out of range.") from error
