"""Full-text search for the admin's search box: PostgreSQL's English stemming, backed by GIN indexes.

The vector is `tonnysite.modeling.full_text(field)`, the very expression the GIN
indexes are built on, so the planner can use them. The text a parent types is
parsed here, not by PostgreSQL's tsquery syntax: `search_terms_parse` bounds it
(`SEARCH_MAX_CHARACTERS`, `SEARCH_MAX_WORDS`; more answers HTTP 400 with a clear
message) and splits it into words, "quoted phrases" and -exclusions made only of
letters and digits, and `search_query` turns each piece into `plainto_tsquery` /
`phraseto_tsquery`, functions that take any text, joined with && and !!. So no
input can be a tsquery syntax error or an oversized query. "lights" finds
"light": both stem to the same lexeme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_

from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import BadRequest
from django.db import connections
from django.db.models import Q
from django.db.models.sql import Query

from tonnysite.familyadmin.pagination import EstimatedCountPaginator
from tonnysite.modeling import full_text

# Enough for any real search ("kitchen lights -garage", a remembered sentence); a search is
# one GIN lookup per word, so the bound also bounds its cost.
SEARCH_MAX_CHARACTERS = 200
SEARCH_MAX_WORDS = 12

# A word is a run of letters and digits (any script); everything else, tsquery operators
# (& | ! ( ) : * < >), quotes inside words, backslashes and control characters, separates words.
_WORD = re.compile(r"[^\W_]+")
# A piece: an optional leading "-" (leave it out), then a "quoted phrase" (an unclosed quote
# runs to the end) or a run of non-space characters.
_PIECE = re.compile(r'(?P<minus>-?)(?:"(?P<phrase>[^"]*)"?|(?P<bare>[^\s"]+))')


@dataclass(frozen=True)
class SearchPiece:
    """Words that must appear together, in this order when there are several; or must not appear."""

    words: tuple[str, ...]
    excluded: bool = False


def search_terms_parse(text: str) -> list[SearchPiece]:
    """The pieces of a search box's text: words, "quoted phrases" and -exclusions, in order.

    Raises BadRequest, with a message for the parent, when the text is longer than
    SEARCH_MAX_CHARACTERS characters or has more than SEARCH_MAX_WORDS words. Only
    letters and digits reach the database: any other character separates words, so no
    text, however hostile, can be a tsquery syntax error. Words outside quotes must all
    appear, anywhere; an excluded token of several words ("-wi-fi") leaves out that
    phrase. Returns an empty list when nothing is left to look for (only punctuation).
    """
    text = text.strip()
    if len(text) > SEARCH_MAX_CHARACTERS:
        raise BadRequest(
            f"Search text is too long: at most {SEARCH_MAX_CHARACTERS} characters (you typed {len(text):,})."
        )
    pieces = []
    for match in _PIECE.finditer(text):
        excluded = bool(match["minus"])
        if match["phrase"] is not None:
            words = tuple(_WORD.findall(match["phrase"]))
            pieces += [SearchPiece(words, excluded=excluded)] if words else []
        elif excluded:
            words = tuple(_WORD.findall(match["bare"]))
            pieces += [SearchPiece(words, excluded=True)] if words else []
        else:
            pieces += [SearchPiece((word,)) for word in _WORD.findall(match["bare"])]
    word_count = sum(len(piece.words) for piece in pieces)
    if word_count > SEARCH_MAX_WORDS:
        raise BadRequest(
            f"Search text has too many words: at most {SEARCH_MAX_WORDS} (you typed {word_count:,}). "
            "Use fewer, more telling words."
        )
    return pieces


def search_query(pieces: list[SearchPiece]) -> SearchQuery | None:
    """The English tsquery of parsed pieces: every word, every phrase, none of the exclusions.

    None when there is nothing to look for.
    """
    wanted_words = [word for piece in pieces if not piece.excluded and len(piece.words) == 1 for word in piece.words]
    queries = [SearchQuery(" ".join(wanted_words), config="english", search_type="plain")] if wanted_words else []
    for piece in pieces:
        if piece.excluded or len(piece.words) > 1:
            search_type = "plain" if len(piece.words) == 1 else "phrase"
            query = SearchQuery(" ".join(piece.words), config="english", search_type=search_type)
            queries.append(~query if piece.excluded else query)
    return reduce(and_, queries) if queries else None


def search_query_is_empty(query: SearchQuery, using: str) -> bool:
    """Whether `query` has no lexeme left: its words are all too common to be indexed ("the"),
    so PostgreSQL would answer every row with false and a notice."""
    sql, params = query.as_sql(Query(None).get_compiler(using=using), connections[using])
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT numnode({sql}) = 0", params)
        return cursor.fetchone()[0]


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
    search_help_text = (
        'Full-text search: lights also finds light; "good night" in quotes finds the phrase; '
        f"-kitchen leaves kitchen out. At most {SEARCH_MAX_CHARACTERS} characters and {SEARCH_MAX_WORDS} words."
    )

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
        pieces = search_terms_parse(search_term)
        if not search_term.strip():
            return queryset, False
        query = search_query(pieces)
        # Nothing to look for (only punctuation, or only words too common to be indexed): no rows.
        if query is None or search_query_is_empty(query, queryset.db):
            return queryset.none(), False
        matches = Q()
        for field in self.full_text_fields:
            alias = f"{field}_fulltext"
            queryset = queryset.alias(**{alias: full_text(field)})
            matches |= Q(**{alias: query})
        return queryset.filter(matches), False
