"""How the admin shows JSON: pretty-printed, sorted and HTML-escaped."""

from __future__ import annotations

import json

from django import forms
from django.forms.fields import InvalidJSONInput
from django.utils.html import format_html
from django.utils.safestring import SafeString


def json_pretty(value) -> str:
    """The JSON text of `value`, indented with sorted keys (not escaped: for forms and plain text)."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def json_block(value) -> SafeString | str:
    """`value` as an escaped, pretty-printed <pre> block for a detail page; '-' when empty."""
    if value in (None, {}, []):
        return "-"
    return format_html('<pre class="json-pretty">{}</pre>', json_pretty(value))


class PrettyJSONFormField(forms.JSONField):
    """A JSON form field that shows its value indented, so a parent can read and edit it."""

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, cls=self.encoder)
