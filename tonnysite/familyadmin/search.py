"""Full-text search for the admin's search box: PostgreSQL's English stemming, backed by GIN indexes.

The vector is `activity.models.full_text(field)`, the very expression the GIN
indexes are built on, so the planner can use them; `websearch_to_tsquery`
accepts anything a parent types ("lights -kitchen", "\"good night\"") without
syntax errors. "lights" finds "light": both stem to the same lexeme.
"""

from __future__ import annotations

from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.contrib.postgres.search import SearchQuery
from django.db.models import Q

from activity.models import full_text
from tonnysite.familyadmin.pagination import EstimatedCountPaginator


class SearchedChangeList(ChangeList):
    """A change list that reads even a single page of search results through the paginator's
    careful reads (Django reads a list that fits one page straight from the queryset)."""

    def get_results(self, request):
        super().get_results(request)
        if getattr(self.paginator, "searching", False) and not isinstance(self.result_list, list):
            self.result_list = self.paginator.read(self.result_list)


class FullTextSearchMixin:
    """Search `full_text_fields` with full-text search instead of `icontains`."""

    full_text_fields: tuple[str, ...] = ()
    search_help_text = "Full-text search: words match their other forms (“lights” finds “light”)."

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if request.GET.get(SEARCH_VAR, "").strip() and isinstance(paginator, EstimatedCountPaginator):
            paginator.for_search()
        return paginator

    def get_changelist(self, request, **kwargs):
        return SearchedChangeList

    def get_search_fields(self, request):
        # Only to show the search box; get_search_results below never uses icontains.
        return self.full_text_fields

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        query = SearchQuery(term, config="english", search_type="websearch")
        matches = Q()
        for field in self.full_text_fields:
            alias = f"{field}_fulltext"
            queryset = queryset.alias(**{alias: full_text(field)})
            matches |= Q(**{alias: query})
        return queryset.filter(matches), False
