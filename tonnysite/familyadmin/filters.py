"""List filters with fixed choices, each choice a condition on the rows.

Most of the family admin's own filters ask whether a moment has happened yet: a session ended or
still open, an event resolved or open, a notification sent or waiting (a column with a value or
none), sometimes splitting one side further (open but idle, open errors). Written as conditions
they need no query to offer their choices and no scan of a column, and one class serves them all.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q


class ConditionChoicesFilter(admin.SimpleListFilter):
    """A list filter whose choices are `conditions`: {value in the query string: (label, condition)}, in order.

    Subclasses set `title`, `parameter_name` and `conditions`; an unknown value filters nothing,
    as Django's own choice filters do.
    """

    conditions: dict[str, tuple[str, Q]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.conditions.items()]

    def queryset(self, request, queryset):
        chosen = self.conditions.get(self.value())
        return queryset if chosen is None else queryset.filter(chosen[1])
