"""How the admin shows values: JSON pretty-printed or as labelled lines in words, times in seconds, fractions
in percent; always HTML-escaped."""

from __future__ import annotations

import json
import unicodedata

from django import forms
from django.contrib import admin
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from tonnysite.json_values import json_parse, json_storable_problem


def json_pretty(value) -> str:
    """The JSON text of `value`, indented with sorted keys (not escaped: for forms and plain text)."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def short_text_display(field: str, *, description: str, length: int = 80):
    """An admin column that shows the text of `field` cut to `length` characters (a list stays one line a row)."""

    @admin.display(description=description)
    def show(model_admin, obj):
        return text_cut(getattr(obj, field) or "", length)

    return show


def text_cut(text: str, length: int) -> str:
    """`text` cut to `length` characters with an ellipsis, as Django's Truncator.chars says it; a text that
    fits is returned as it is without Truncator's character-by-character walk (a list draws one a row)."""
    if len(text) <= length and unicodedata.is_normalized("NFC", text):
        return text
    return Truncator(text).chars(length)


class PrettyJSONFormField(forms.JSONField):
    """A JSON form field that shows its value indented, so a parent can read and edit it, and
    refuses what PostgreSQL cannot store (NaN, Infinity, 1e400, \\u0000, deep nesting)."""

    def to_python(self, value):
        if self.disabled or value in self.empty_values:
            return super().to_python(value)
        if isinstance(value, (list, dict, int, float, JSONString)):
            problem = json_storable_problem(value)
            if problem:
                raise ValidationError(f"{problem[0].upper()}{problem[1:]}.", code="invalid")
            return value
        try:
            converted = json_parse(value, field="value", label="This value")
        except ValidationError as error:
            raise ValidationError(error.message_dict["value"], code="invalid") from error
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data, initial):
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            return json_parse(data, field="value")
        except ValidationError:
            return InvalidJSONInput(data)

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, cls=self.encoder)


class NullableArrayFormField(SimpleArrayField):
    """A list a blank box leaves unset (NULL), as the column was, instead of turning it into an empty list.

    For allowed/blocked commands the two mean different things: no list at all, or a list with nothing on it.
    """

    def clean(self, value):
        return super().clean(value) or None

    def has_changed(self, initial, data):
        return bool(initial or None) != bool(data) or super().has_changed(initial, data)


def seconds_display(field: str, *, description: str):
    """A column showing milliseconds as a parent reads them: "0.8 s", "1 min 12 s", "-" when unknown."""

    @admin.display(description=description, ordering=field)
    def shown(model_admin, obj):
        return seconds_words(getattr(obj, field))

    return shown


def seconds_words(milliseconds: float | None) -> str:
    """Milliseconds as a parent reads them: "0.8 s", "1 min 12 s", "2 h 5 min", "-" when unknown."""
    if milliseconds is None:
        return "-"
    seconds = milliseconds / 1000
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def percent_display(field: str, *, description: str):
    """A column showing a fraction from 0 to 1 as a percentage ("93 %"), "-" when unknown."""

    @admin.display(description=description, ordering=field)
    def shown(model_admin, obj):
        value = getattr(obj, field)
        return "-" if value is None else f"{value * 100:.0f} %"

    return shown


def words_display(field: str, *, description: str, boolean: bool = False):
    """A column or read-only field showing `field` as it is, under a heading in the family's words (the
    model's own name for it, such as "n8n status code", is a database's)."""

    @admin.display(description=description, ordering=field, boolean=boolean)
    def shown(model_admin, obj):
        value = getattr(obj, field)
        return value if boolean or value not in (None, "") else "-"

    return shown


def key_words(key: str) -> str:
    """A JSON key as a label: "ip_address" -> "Ip address" unless a caller names it better."""
    return key.replace("_", " ").replace("-", " ").strip().capitalize() or "-"


def value_words(key: str, value) -> str:
    """A JSON value as plain text: sizes and milliseconds in words, objects as "name: value" pairs."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and key.endswith("_bytes"):
        return filesizeformat(value)
    if isinstance(value, int | float) and key.endswith("_ms"):
        return seconds_words(value)
    if isinstance(value, dict):
        return "; ".join(f"{key_words(k).lower()}: {value_words(k, v)}" for k, v in sorted(value.items())) or "-"
    if isinstance(value, list):
        return ", ".join(value_words(key, item) for item in value) or "-"
    return str(value)


def labelled_block(pairs: list[tuple[str, str]]) -> SafeString | str:
    """Label and value pairs as a small escaped table for a detail page; '-' when there are none."""
    if not pairs:
        return "-"
    rows = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', pairs)
    return format_html('<table class="labelled-fields"><tbody>{}</tbody></table>', rows)


def metadata_pairs(value, *, labels: dict[str, str] | None = None, leave_out: tuple[str, ...] = ()) -> list:
    """The members of a JSON object as (label, words) pairs: the keys of `labels` first, under their labels,
    then every other key under its name in words; a value that is not an object is one "Value" pair."""
    labels = labels or {}
    if value in (None, {}, [], ""):
        return []
    if not isinstance(value, dict):
        return [("Value", value_words("", value))]
    known = [
        (label, value_words(key, value[key])) for key, label in labels.items() if key in value and key not in leave_out
    ]
    rest = sorted(key for key in value if key not in labels and key not in leave_out)
    return known + [(key_words(key), value_words(key, value[key])) for key in rest]


def metadata_display(field: str, *, description: str, labels: dict[str, str] | None = None, leave_out=()):
    """A read-only field that shows the JSON object of `field` as labelled lines in words, never as raw JSON."""

    @admin.display(description=description)
    def show(model_admin, obj):
        return labelled_block(metadata_pairs(getattr(obj, field), labels=labels, leave_out=leave_out))

    return show
