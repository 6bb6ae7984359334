"""How the admin shows JSON: pretty-printed, sorted and HTML-escaped."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from tonnysite.json_values import json_parse, json_storable_problem


def json_pretty(value) -> str:
    """The JSON text of `value`, indented with sorted keys (not escaped: for forms and plain text)."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def json_block(value) -> SafeString | str:
    """`value` as an escaped, pretty-printed <pre> block for a detail page; '-' when empty."""
    if value in (None, {}, []):
        return "-"
    return format_html('<pre class="json-pretty">{}</pre>', json_pretty(value))


def json_display(field: str, *, description: str):
    """A read-only admin field that shows the JSON of `field` with `json_block`."""

    @admin.display(description=description)
    def show(model_admin, obj):
        return json_block(getattr(obj, field))

    return show


def short_text_display(field: str, *, description: str, length: int = 80):
    """An admin column that shows the text of `field` cut to `length` characters (a list stays one line a row)."""

    @admin.display(description=description)
    def show(model_admin, obj):
        return Truncator(getattr(obj, field) or "").chars(length)

    return show


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
        value = getattr(obj, field)
        if value is None:
            return "-"
        seconds = value / 1000
        if seconds < 60:
            return f"{seconds:.1f} s"
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"

    return shown


def percent_display(field: str, *, description: str):
    """A column showing a fraction from 0 to 1 as a percentage ("93 %"), "-" when unknown."""

    @admin.display(description=description, ordering=field)
    def shown(model_admin, obj):
        value = getattr(obj, field)
        return "-" if value is None else f"{value * 100:.0f} %"

    return shown
