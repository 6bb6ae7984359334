"""CSV exports: streamed row by row, with every cell safe to open in a spreadsheet.

A cell that a spreadsheet would read as a formula (it starts with = + - @, a tab
or a carriage return) gets a leading single quote, so an exported command like
`=HYPERLINK(...)` stays text (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_CHUNK_ROWS = 2_000


def csv_cell(value) -> str | int | float | Decimal:
    """One value as a CSV cell: text defused against formulas, JSON as text, times in the family's zone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value):
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text of `header` and `rows`, one line at a time."""
    writer = csv.writer(_Echo())
    yield writer.writerow([csv_cell(name) for name in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_streaming_response(filename: str, header: Iterable[str], rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A streamed CSV download; rows are produced while the response is sent."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class CsvExportMixin:
    """An "Export as CSV" action and an export of the whole (filtered, searched) change list.

    Both read through the ModelAdmin's scoped queryset, so a member exports only
    their own rows. `export_fields` are values_list() lookups; override
    `export_rows` to change values (settings mask sensitive ones there).
    """

    export_fields: tuple[str, ...] = ()
    change_list_template = "admin/familyadmin/change_list_export.html"

    def export_header(self) -> list[str]:
        return [name.replace("__", " ").replace("_", " ") for name in self.export_fields]

    def export_rows(self, request, queryset) -> Iterator[Iterable]:
        return queryset.values_list(*self.export_fields).iterator(chunk_size=EXPORT_CHUNK_ROWS)

    def export_response(self, request, queryset) -> StreamingHttpResponse:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"{self.opts.model_name}-{stamp}.csv"
        # Plan the query before the download starts: a value the database refuses (an id that
        # is not an id, a number too large) answers a clear 400, not a file broken half-way.
        queryset.explain()
        return csv_streaming_response(filename, self.export_header(), self.export_rows(request, queryset))

    @admin.action(description="Export selected %(verbose_name_plural)s as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return self.export_response(request, queryset)

    def export_view(self, request):
        """The change list as it stands (filters, search, order) as one CSV download."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self.export_response(request, changelist.get_queryset(request))

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_export"
        extra = [path("export.csv", self.admin_site.admin_view(self.export_view), name=name)]
        return extra + super().get_urls()
