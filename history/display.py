"""A change in a parent's words: "limits › daily limit minutes: 60 → 90", "PIN: set → not set"."""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.utils import timezone
from django.utils.formats import date_format

# Secret columns say what they protect, not how it is stored.
SECRET_LABELS = {"pin_hash": "PIN", "password": "password", "value": "value", "default_value": "default value"}
EMPTY = "(empty)"


def column_labels(table_name: str) -> tuple[dict[str, str], str | None]:
    """(column → the field's verbose name, the primary-key column) of `table_name`'s model, from the app registry."""
    for model in apps.get_models():
        if model._meta.db_table == table_name:
            labels = {field.column: str(field.verbose_name) for field in model._meta.concrete_fields}
            return labels, model._meta.pk.column
    return {}, None


def value_text(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {value_text(item)}" for key, item in value.items())
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    return str(value)


def _hidden_text(entry: dict) -> tuple[str, str]:
    def said(is_set):
        return "set" if is_set else "not set"

    if "before" in entry and "after" in entry and entry["before"] and entry["after"]:
        return "set", "changed (not shown)"
    return said(entry.get("before")) if "before" in entry else "", said(entry.get("after")) if "after" in entry else ""


def change_lines(*, table_name: str, changes: dict) -> list[tuple[str, str, str]]:
    """(what, before, after) per changed column; a changed JSON object lists its changed keys."""
    labels, pk_column = column_labels(table_name)
    lines = []
    for column, entry in sorted(changes.items()):
        if column == pk_column:
            continue  # the entry names its row already
        if entry.get("hidden"):
            lines.append((SECRET_LABELS.get(column, labels.get(column, column)), *_hidden_text(entry)))
            continue
        label = labels.get(column, column.replace("_", " "))
        before, after = entry.get("before"), entry.get("after")
        if isinstance(before, dict) and isinstance(after, dict):
            for key in sorted(set(before) | set(after)):
                if before.get(key) != after.get(key):
                    lines.append(
                        (f"{label} › {key.replace('_', ' ')}", value_text(before.get(key)), value_text(after.get(key)))
                    )
            continue
        lines.append(
            (label, value_text(before) if "before" in entry else "", value_text(after) if "after" in entry else "")
        )
    return lines
