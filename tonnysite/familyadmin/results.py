"""The change list's rows, drawn with the same markup as Django's `result_list` tag, in a fraction of the time.

Django's `items_for_result` works out, for every cell of every row, what kind of column it is
(a model field, a ModelAdmin method, an attribute), its CSS classes, its empty value and the
row's change URL (a `reverse()` a row). Those depend on the column, not the row: here they are
worked out once a page, and each cell only reads its value and formats it with Django's own
`display_for_field` / `display_for_value`. A list with editable rows (a formset), a popup, or an
admin that is not the family's keeps Django's tag (the page template, admin/change_list.html, draws
`family_rows` when the view put them there).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_PK_MARK = "0family0row0pk0"  # stands for the row's key in the change URL worked out once a page


@dataclass
class _Column:
    name: object
    classes: str  # ' class="field-… nowrap"', without nowrap when it depends on the value
    field: models.Field | None  # the model field shown, or None for a method or attribute
    method: object  # the ModelAdmin's bound method or the callable shown, or None
    boolean: bool
    empty: str  # the column's own empty value, or the admin's
    empty_default: str  # the admin's (Django's for a row whose related row is gone)
    linked: bool


def _columns(cl) -> list[_Column] | None:
    """What Django's `items_for_result` works out per cell, worked out per column; None when a column
    is not one of the plain kinds (a lookup across relations, a model method or property)."""
    model_admin, opts = cl.model_admin, cl.lookup_opts
    links = cl.list_display_links
    empty_default = model_admin.get_empty_value_display()
    columns = []
    for index, name in enumerate(cl.list_display):
        if links is None:
            linked = False
        elif not links:
            linked = index == 0
        else:
            linked = name in links
        classes = ["action-checkbox"] if name == "action_checkbox" else [f"field-{_coerce_field_name(name, index)}"]
        field = method = None
        try:
            field = _get_non_gfk_field(opts, name) if isinstance(name, str) else None
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is None:
            if callable(name):
                method = name
            elif isinstance(name, str) and hasattr(model_admin, name) and name != "__str__":
                method = getattr(model_admin, name)
            else:
                return None  # a model method or property, or a lookup across relations: Django's tag draws it
        elif field.auto_created and not field.is_relation:
            return None  # Django shows an auto-created field through display_for_value; rare, leave it to Django
        elif isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes.append("nowrap")
        boolean = bool(getattr(method, "boolean", False))
        empty = getattr(method, "empty_value_display", empty_default) if method is not None else empty_default
        columns.append(_Column(name, " ".join(classes), field, method, boolean, empty, empty_default, linked))
    return columns


def _rows(cl):
    columns = _columns(cl)
    if columns is None:
        return None
    url_of = _change_url_maker(cl)
    rows = []
    for result in cl.result_list:
        cells, first = [], True
        for column in columns:
            classes = column.classes
            try:
                value = getattr(result, column.name) if column.field is not None else column.method(result)
            except ObjectDoesNotExist:
                shown = column.empty_default
            else:
                field = column.field
                if field is None:
                    shown = display_for_value(value, column.empty, column.boolean)
                    if isinstance(value, (datetime.date, datetime.time)):
                        classes += " nowrap"
                elif isinstance(field.remote_field, models.ManyToOneRel):
                    shown = column.empty if value is None else value
                else:
                    shown = display_for_field(value, field, column.empty, avoid_link=column.linked)
            shown = conditional_escape(shown)
            if column.linked:
                tag = "th" if first else "td"
                first = False
                url = url_of(result)
                link = shown if url is None else f'<a href="{conditional_escape(url)}">{shown}</a>'
                cells.append(f'<{tag} class="{classes}">{link}</{tag}>')
            else:
                cells.append(f'<td class="{classes}">{shown}</td>')
        # Every value and URL was escaped above; the markup around them is ours.
        rows.append(ResultList(None, [mark_safe(cell) for cell in cells]))  # noqa: S308
    return rows


def _change_url_maker(cl):
    """`row -> its change URL with the list's filters kept`, as Django's, from one `reverse()` a page.

    The URL with a stand-in key is checked against Django's own for the first row; if they differ
    (a key that needs quoting), every row asks Django.
    """

    def django_url(result):
        try:
            url = cl.url_for_result(result)
        except NoReverseMatch:
            return None
        return add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)

    if not cl.result_list:
        return django_url
    first = cl.result_list[0]
    pk_name = cl.lookup_opts.pk.attname
    try:
        marked = django_url(_StandIn(first, pk_name))
    except Exception:  # noqa: BLE001  (any surprise: ask Django for every row)
        return django_url
    if marked is None or marked.count(_PK_MARK) != 1:
        return django_url
    before, after = marked.split(_PK_MARK)

    def fast_url(result):
        return f"{before}{getattr(result, pk_name)}{after}"

    return fast_url if fast_url(first) == django_url(first) else django_url


class _StandIn:
    """A row whose key reads `_PK_MARK` (for working out the change URL once)."""

    def __init__(self, row, pk_name):
        self._row, self._pk_name = row, pk_name

    def __getattr__(self, name):
        return _PK_MARK if name == self._pk_name else getattr(self._row, name)


def family_result_list(cl) -> dict | None:
    """The context of Django's change_list_results.html for `cl`, its rows drawn by `_rows`; None when
    Django's own tag should draw the list (editable rows, a popup, a column of another kind)."""
    if cl.formset or cl.is_popup or cl.to_field:
        return None
    rows = _rows(cl)
    if rows is None:
        return None
    headers = list(result_headers(cl))
    return {
        "result_headers": headers,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": rows,
    }
