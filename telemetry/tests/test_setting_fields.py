"""A setting's schema as a sentence and its value in words, as the settings page says them."""

import pytest

from telemetry.models import Setting
from telemetry.setting_fields import schema_words, setting_kind, setting_value_words

URL_PATTERN = "^(https?|wss?)://[^\\s]+$"


@pytest.mark.parametrize(
    ("schema", "sentence"),
    [
        ({"type": "boolean"}, "Yes or no."),
        ({"type": "integer", "minimum": 1, "maximum": 3650}, "A whole number from 1 to 3,650."),
        ({"type": "integer", "minimum": 0}, "A whole number of at least 0."),
        ({"type": "integer", "maximum": 100}, "A whole number of at most 100."),
        ({"type": "integer"}, "A whole number."),
        ({"type": "number", "minimum": 0, "maximum": 1}, "A number from 0 to 1."),
        ({"type": "number", "exclusiveMinimum": 0}, "A number above 0."),
        ({"type": "string", "enum": ["light", "dark", "system"]}, "One of: light, dark, system."),
        ({"type": "string", "pattern": URL_PATTERN}, "A web address (http, https, ws or wss)."),
        ({"type": "string", "maxLength": 200}, "At most 200 characters."),
        ({"type": "string", "minLength": 1, "maxLength": 200}, "From 1 to 200 characters."),
        ({"type": "string", "pattern": "^x+$"}, "Text in a set format."),
        ({"type": "string"}, "Text."),
        ({"type": "array", "maxItems": 100}, "A list. At most 100 entries."),
        ({"type": "integer", "multipleOf": 5, "$comment": "unknown words are left out"}, "A whole number."),
        ({"not": {"type": "null"}}, ""),
        (True, ""),
        (None, ""),
    ],
)
def test_a_schema_is_said_in_one_sentence(schema, sentence):
    assert schema_words(schema) == sentence


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (True, "Yes"),
        (False, "No"),
        ("dark", "dark"),
        ("", "(empty)"),
        (90, "90"),
        (0.5, "0.5"),
        (["a", "b"], "a, b"),
        ([], "(none)"),
        ([{"from": "2026-12-21"}], "1 entry"),
        ([{"from": "2026-12-21"}, {"from": "2027-02-01"}], "2 entries"),
        ({"a": 1, "b": 2}, "2 entries"),
        (None, "-"),
    ],
)
def test_a_value_is_said_in_words_without_json(value, words):
    assert setting_value_words(value) == words


@pytest.mark.parametrize(
    ("value", "schema", "kind"),
    [
        (True, None, "boolean"),
        (70, None, "integer"),
        (0.5, None, "number"),
        ("dark", None, "string"),
        ([], None, "array"),
        ({}, None, "object"),
        ("70", {"type": "integer"}, "integer"),
        ("dark", {"enum": ["dark"]}, "string"),
        (None, {"type": ["string", "null"]}, "unknown"),
    ],
)
def test_the_field_follows_the_schema_type_else_the_stored_value(value, schema, kind):
    assert setting_kind(Setting(key="k", value=value, validation_schema=schema)) == kind
