"""A setting's value in the admin as a parent reads and types it: a field built from the setting's JSON
Schema (Yes/No, a whole number, a number, one of a list, text), the schema as a sentence, the value in words.

JSON is typed only where no simpler field fits (lists and objects), and on the add page, where no schema
is known yet. Every field cleans to the JSON value itself, or KEEP when left blank.
"""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from telemetry import services
from telemetry.models import Setting
from tonnysite.familyadmin.display import json_pretty
from tonnysite.markers import KEEP

HIDDEN = "•••••••• (hidden)"
KEEP_WORDS = "Leave blank to keep the current value."
SENSITIVE_WORDS = "Sensitive: the stored value is never shown. Type a new value to replace it; leave blank to keep it."

# The patterns the settings use, in words; any other pattern is "Text in a set format."
PATTERN_WORDS = {
    "^(https?|wss?)://[^\\s]+$": "A web address (http, https, ws or wss).",
    "^[a-z]{2}$": "Two small letters: a language code such as en.",
    "^[A-Za-z0-9]{20}$": "20 letters or digits.",
    "^((Ctrl|Shift|Alt|Super)\\+)*[A-Za-z0-9]+$": "A key, with Ctrl+, Shift+, Alt+ or Super+ in front, "
    "such as Ctrl+Shift+R.",
    "^([A-Z]{2}(-[A-Z0-9]{1,3})?)?$": "A country code such as DE, or DE-BY with a region; empty for none.",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "A date such as 2026-12-21.",
}


class SettingJsonField(forms.CharField):
    """A value typed as JSON: the add page's field, and the change page's for lists and objects."""

    def clean(self, value):
        try:
            return services.setting_value_parse(text=super().clean(value))
        except ValidationError as error:
            raise ValidationError(error.message_dict["value"]) from error


class BlankKeepsMixin:
    """Blank (or only spaces) is KEEP: the current value stays, which is how a sensitive one is kept unseen."""

    def clean(self, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return KEEP
        return super().clean(value)


class SettingIntegerField(BlankKeepsMixin, forms.IntegerField):
    pass


class SettingNumberField(BlankKeepsMixin, forms.FloatField):
    pass


class SettingTextField(BlankKeepsMixin, forms.CharField):
    pass


class SettingChoiceField(BlankKeepsMixin, forms.TypedChoiceField):
    """One of a few JSON values, offered by their text ("true", "dark", "3") and cleaned to the value."""

    def __init__(self, *, values: list, **kwargs):
        self.values_by_key = {choice_key(value): value for value in values}
        choices = [(key, setting_value_words(value)) for key, value in self.values_by_key.items()]
        super().__init__(choices=choices, coerce=self.values_by_key.__getitem__, **kwargs)


def choice_key(value) -> str:
    """The text a choice is submitted as: a string as it is, anything else as its JSON."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)


def setting_kind(setting: Setting) -> str:
    """The JSON Schema type the value's field is built for: the schema's `type`, else the stored value's."""
    schema = setting.validation_schema
    if isinstance(schema, dict) and isinstance(schema.get("type"), str):
        return schema["type"]
    value = setting.value
    kinds = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"), (dict, "object"))
    return next((kind for python_type, kind in kinds if isinstance(value, python_type)), "unknown")


def is_number(value) -> bool:
    """A JSON number (Python's bool is an int, but JSON's true is not a number)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_words(number) -> str:
    return f"{number:,}" if is_number(number) else str(number)


def range_words(schema: dict, *, noun: str) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    above, below = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if low is not None and high is not None:
        return f"{noun} from {number_words(low)} to {number_words(high)}."
    limits = [
        f"of at least {number_words(low)}" if low is not None else "",
        f"above {number_words(above)}" if is_number(above) else "",
        f"of at most {number_words(high)}" if high is not None else "",
        f"below {number_words(below)}" if is_number(below) else "",
    ]
    return " ".join([noun, " and ".join(limit for limit in limits if limit)]).strip() + "."


def length_words(low, high, *, unit: str, plural: str) -> str:
    if low is not None and high is not None:
        return f"From {number_words(low)} to {number_words(high)} {plural}."
    if high is not None:
        return f"At most {number_words(high)} {unit if high == 1 else plural}."
    if low is not None:
        return f"At least {number_words(low)} {unit if low == 1 else plural}."
    return ""


def schema_words(schema) -> str:
    """A setting's JSON Schema as a sentence a parent reads ("A whole number from 1 to 3,650.");
    keywords it does not know are left out, so an unusual schema gives a shorter sentence, never an error."""
    if not isinstance(schema, dict):
        return ""
    kind = schema.get("type")
    sentences = []
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        sentences.append("One of: " + ", ".join(setting_value_words(value) for value in schema["enum"]) + ".")
    elif kind == "boolean":
        sentences.append("Yes or no.")
    elif kind == "integer":
        sentences.append(range_words(schema, noun="A whole number"))
    elif kind == "number":
        sentences.append(range_words(schema, noun="A number"))
    elif kind == "string":
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            sentences.append(PATTERN_WORDS.get(pattern, "Text in a set format."))
        lengths = length_words(schema.get("minLength"), schema.get("maxLength"), unit="character", plural="characters")
        sentences.append(lengths if lengths or pattern else "Text.")
    elif kind == "array":
        sentences.append("A list.")
        sentences.append(length_words(schema.get("minItems"), schema.get("maxItems"), unit="entry", plural="entries"))
    elif kind == "object":
        sentences.append("A set of named values.")
    return " ".join(sentence for sentence in sentences if sentence)


def setting_value_words(value) -> str:
    """A setting's value as a parent reads it: Yes/No, text without quotes, a number, or a count of entries."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        return value or "(empty)"
    if isinstance(value, list):
        if not value:
            return "(none)"
        if all(not isinstance(item, list | dict) for item in value):
            return Truncator(", ".join(setting_value_words(item) for item in value)).chars(80)
        return "1 entry" if len(value) == 1 else f"{len(value)} entries"
    if isinstance(value, dict):
        return "(none)" if not value else "1 entry" if len(value) == 1 else f"{len(value)} entries"
    return str(value)


def setting_value_field(setting: Setting) -> tuple[forms.Field, object]:
    """The field for a new value of an existing `setting`, and its initial value (None when sensitive).

    Typed from the schema (or the stored value): Yes/No, a whole number with the schema's bounds, a
    number, one of the schema's enum, plain text; JSON text only for lists, objects and anything else.
    A sensitive value is typed into a password box that never shows it.
    """
    schema = setting.validation_schema if isinstance(setting.validation_schema, dict) else {}
    kind = setting_kind(setting)
    rule = schema_words({"type": kind, **schema})
    sensitive = bool(setting.is_sensitive)
    value = setting.value
    options = {"label": "Value", "required": False}
    password = forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "size": 60})
    enum = schema.get("enum") if isinstance(schema.get("enum"), list) else None
    if sensitive and kind in ("string", "integer", "number"):
        field_class = {"string": SettingTextField, "integer": SettingIntegerField, "number": SettingNumberField}[kind]
        return field_class(widget=password, help_text=f"{rule} {SENSITIVE_WORDS}".strip(), **options), None
    if sensitive:
        help_text = f"{rule} Typed as JSON. {SENSITIVE_WORDS}".strip()
        return SettingJsonField(strip=False, widget=password, help_text=help_text, **options), None
    if kind == "boolean" or enum:
        values = enum or [True, False]
        offered = any(choice == value and type(choice) is type(value) for choice in values)
        field = SettingChoiceField(
            values=values,
            widget=forms.Select if enum else forms.RadioSelect,
            help_text=rule if offered else f"{rule} {KEEP_WORDS}",
            **options,
        )
        if not offered:
            # A stored value the schema does not offer: blank keeps it, and the schema check names the problem.
            field.choices = [("", "(keep the current value)"), *field.choices]
        return field, choice_key(value) if offered else ""
    help_text = f"{rule} {KEEP_WORDS}".strip()
    if kind == "integer":
        initial = value if isinstance(value, int) and not isinstance(value, bool) else None
        widget = forms.NumberInput(attrs=bounds_attrs(schema))
        return SettingIntegerField(widget=widget, help_text=help_text, **options), initial
    if kind == "number":
        initial = value if is_number(value) else None
        widget = forms.NumberInput(attrs={"step": "any", **bounds_attrs(schema)})
        return SettingNumberField(widget=widget, help_text=help_text, **options), initial
    if kind == "string":
        initial = value if isinstance(value, str) else None
        widget = forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"})
        return SettingTextField(widget=widget, help_text=help_text, **options), initial
    help_text = f"{rule} Typed as JSON (a list in [ ], named values in {{ }}): no simpler field fits it. {KEEP_WORDS}"
    widget = forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField"})
    return SettingJsonField(strip=False, widget=widget, help_text=help_text.strip(), **options), json_pretty(value)


def bounds_attrs(schema: dict) -> dict:
    """The schema's minimum and maximum as a number input's min and max, for the browser to offer."""
    limits = {"min": schema.get("minimum"), "max": schema.get("maximum")}
    return {name: limit for name, limit in limits.items() if is_number(limit)}
