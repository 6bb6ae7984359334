"""JSON that PostgreSQL can store: one check for every JSON column, whoever writes it.

PostgreSQL's jsonb refuses NaN and Infinity (Python's json module writes them), a NUL
character in a string or key, and very deep nesting; a float like 1e400 becomes Infinity
in Python. Forms, services and commands call `json_parse` / `json_storable_check` so such a
value is a clear error naming the field, never a database error.
"""

from __future__ import annotations

import json
import math

from django.core.exceptions import ValidationError

from tonnysite.safe_input import text_problem

MAX_JSON_DEPTH = 32


def json_storable_problem(value) -> str | None:
    """Say why `value` cannot be stored as jsonb (in words), or None when it can."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return "numbers must be finite (NaN, Infinity and numbers beyond ±1.8e308 cannot be stored)"
        if isinstance(item, str) and (problem := text_problem(item)):
            return f"text {problem}"
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return f"lists and objects may be nested at most {MAX_JSON_DEPTH} deep"
            if isinstance(item, dict):
                for key in item:
                    if problem := text_problem(str(key)):
                        return f"keys {problem}"
                children = item.values()
            else:
                children = item
            pending.extend((child, depth + 1) for child in children)
    return None


def json_storable_check(value, *, field: str, label: str | None = None) -> None:
    """Raise ValidationError on `field` unless PostgreSQL can store `value` as jsonb."""
    problem = json_storable_problem(value)
    if problem is not None:
        raise ValidationError({field: f"{label or field.replace('_', ' ').capitalize()}: {problem}."})


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def json_parse(text: str, *, field: str, label: str | None = None):
    """Parse `text` as JSON that PostgreSQL can store; raise ValidationError on `field` otherwise."""
    name = label or field.replace("_", " ").capitalize()
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise ValidationError(
            {field: f"{name}: lists and objects may be nested at most {MAX_JSON_DEPTH} deep."}
        ) from error
    except ValueError as error:
        raise ValidationError(
            {
                field: f'{name}: not JSON. Enter a JSON value: text in double quotes ("abc"), a number, '
                "true or false, a list or an object."
            }
        ) from error
    json_storable_check(value, field=field, label=label)
    return value
