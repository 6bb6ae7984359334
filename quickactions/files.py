"""Quick actions as files: CSV and JSON, written and read back exactly (export then import changes nothing).

Reading turns a file into rows of `quickactions.services.quick_action_values` shape and names
the row and field of anything it cannot read; whether a row is *valid* is the import
service's call. CSV cells are defused against spreadsheet formulas like every export
(`tonnysite.familyadmin.export.csv_cell`); a leading `'` is taken back off when read.
In CSV the commands of an action are one cell, one command a line (commas stay in a command).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError

from quickactions.models import QuickAction
from quickactions.services import QuickActionRowProblem, quick_action_values
from tonnysite.familyadmin.export import csv_lines
from tonnysite.safe_input import text_problem

FORMATS = ("csv", "json")
MAX_FILE_BYTES = 2_000_000
MAX_ROWS = 5_000
CSV_HEADER = (
    "id", "display_name", "icon", "category", "required_permission", "is_enabled", "description", "commands",
    "metadata",
)  # fmt: skip
TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}


class QuickActionFileError(ValidationError):
    """A file that cannot be read, with one problem per bad row and field."""

    def __init__(self, problems: list[QuickActionRowProblem]):
        self.problems = problems
        super().__init__([str(problem) for problem in problems])


def _csv_value(text: str) -> str:
    # Spreadsheet safety adds a leading ' to formula-like text (and to text already starting with one).
    return "'" + text if text.startswith("'") else text


def export_rows(actions: Iterable[QuickAction]) -> Iterator[dict[str, Any]]:
    """Each action as a JSON-ready object."""
    for action in actions:
        yield quick_action_values(action=action)


def export_json(actions: Iterable[QuickAction]) -> str:
    """The actions as a JSON array, one object per action, readable by `read_file`."""
    return json.dumps(list(export_rows(actions)), ensure_ascii=False, indent=2) + "\n"


def csv_row(values: dict[str, Any]) -> list:
    """One action's values as CSV cells, in CSV_HEADER's order (commands one a line)."""
    row = []
    for name in CSV_HEADER:
        if name == "commands":
            value = "\n".join(values["command_sequence"])
        elif name == "metadata":
            value = json.dumps(values["metadata"], sort_keys=True, ensure_ascii=False) if values["metadata"] else ""
        else:
            value = values[name]
        row.append(_csv_value(value) if isinstance(value, str) else value)
    return row


def export_csv_lines(actions: Iterable[QuickAction]) -> Iterator[str]:
    """The actions as CSV lines (header first), readable by `read_file`."""
    return csv_lines(CSV_HEADER, (csv_row(values) for values in export_rows(actions)))


def export_text(actions: Iterable[QuickAction], *, file_format: str) -> str:
    """The whole export file as text."""
    if file_format == "json":
        return export_json(actions)
    return "".join(export_csv_lines(actions))


def guess_format(name: str, text: str) -> str:
    """csv or json, from the file name or else the first character."""
    lowered = name.lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def decode(data: bytes) -> str:
    """The text of an uploaded file (UTF-8, with or without a byte-order mark)."""
    if len(data) > MAX_FILE_BYTES:
        raise QuickActionFileError([QuickActionRowProblem(0, "", f"is larger than {MAX_FILE_BYTES // 1_000_000} MB.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuickActionFileError([QuickActionRowProblem(0, "", "is not UTF-8 text.")]) from None


def read_file(text: str, *, file_format: str) -> list[dict[str, Any]]:
    """The rows of a CSV or JSON export; raises QuickActionFileError naming each row and field it cannot read."""
    if problem := text_problem(text):
        raise QuickActionFileError([QuickActionRowProblem(0, "", f"{problem}.")])
    rows = _read_json(text) if file_format == "json" else _read_csv(text)
    if len(rows) > MAX_ROWS:
        raise QuickActionFileError([QuickActionRowProblem(0, "", f"has more than {MAX_ROWS} actions.")])
    return rows


def _read_json(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:
        raise QuickActionFileError([QuickActionRowProblem(0, "", f"is not valid JSON ({str(error)[:80]}).")]) from None
    if not isinstance(data, list):
        raise QuickActionFileError([QuickActionRowProblem(0, "", "must be a JSON array of quick actions.")])
    problems, rows = [], []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            problems.append(QuickActionRowProblem(number, "", "is not an object."))
            continue
        row = {str(key): value for key, value in item.items()}
        for name in ("display_name", "icon", "category", "description", "id"):
            if row.get(name) is None and name in row and name not in ("id", "display_name"):
                row[name] = ""
        if "is_enabled" in row and row["is_enabled"] is None:
            row["is_enabled"] = True
        if "required_permission" in row and row["required_permission"] is None:
            row["required_permission"] = "user"
        if "metadata" in row and row["metadata"] is None:
            row["metadata"] = {}
        rows.append(row)
    if problems:
        raise QuickActionFileError(problems)
    return rows


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _read_csv(text: str) -> list[dict[str, Any]]:
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        records = list(reader)
    except csv.Error as error:
        raise QuickActionFileError([QuickActionRowProblem(0, "", f"is not valid CSV ({error}).")]) from None
    missing = [name for name in ("id", "display_name", "commands") if name not in header]
    unknown = [name for name in header if name not in CSV_HEADER]
    if missing or unknown:
        words = []
        if missing:
            words.append(f"lacks the column(s) {', '.join(missing)}")
        if unknown:
            words.append(f"has unknown column(s) {', '.join(str(n)[:30] for n in unknown)}")
        raise QuickActionFileError(
            [QuickActionRowProblem(0, "", f"{' and '.join(words)}; the columns are {', '.join(CSV_HEADER)}.")]
        )
    problems, rows = [], []
    for number, record in enumerate(records, start=1):
        if None in record:
            problems.append(QuickActionRowProblem(number, "", "has more cells than the header has columns."))
            continue
        row: dict[str, Any] = {}
        for name, cell in record.items():
            if cell is None:
                problems.append(QuickActionRowProblem(number, name, "missing (the row has too few cells)."))
                continue
            value = cell[1:] if cell.startswith("'") else cell
            if name == "commands":
                row["command_sequence"] = value.split("\n") if value else []
            elif name == "is_enabled":
                word = value.strip().lower()
                if word in TRUE_WORDS or word == "":
                    row["is_enabled"] = True
                elif word in FALSE_WORDS:
                    row["is_enabled"] = False
                else:
                    problems.append(QuickActionRowProblem(number, name, f"“{value[:20]}” is not true or false."))
            elif name == "required_permission":
                row[name] = value.strip() or "user"
            elif name == "metadata":
                try:
                    row[name] = json.loads(value, parse_constant=_refuse_constant) if value.strip() else {}
                except (ValueError, RecursionError):
                    problems.append(QuickActionRowProblem(number, name, "is not a JSON object."))
            else:
                row[name] = value
        rows.append(row)
    if problems:
        raise QuickActionFileError(problems)
    return rows
