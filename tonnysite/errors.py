"""Error pages in the admin's look, and the one place that turns bad input into a clear 400.

Views, filters, forms and services raise `BadRequest` with a sentence a parent can read;
`bad_request` shows it. Database errors caused by a value that does not fit a column
(a number too large, a date out of range, text that is not an id) are turned into the
same kind of answer by `BadInputMiddleware`, without ever showing the database's own text
(it can quote a row, and a row can hold a secret).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup, DisallowedModelAdminToField
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import (
    BadRequest,
    DisallowedHost,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import DatabaseError, DataError
from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.text import Truncator
from django.views.decorators.csrf import requires_csrf_token

# Exceptions whose text we wrote ourselves (or Django wrote about the request, not about data).
_SAFE_TO_SHOW = (
    BadRequest,
    PermissionDenied,
    DisallowedModelAdminLookup,
    DisallowedModelAdminToField,
    RequestDataTooBig,
    TooManyFieldsSent,
)
GENERIC_400 = "The request could not be understood: a value in it has the wrong form."

# SQLSTATE classes and codes of "the value does not fit", in words that name no value.
_SQLSTATE_MESSAGES = {
    "22003": "A number in this request is too large or too small.",
    "22008": "A date or time in this request is out of range.",
    "22007": "A date or time in this request is not a real date or time.",
    "22P02": "A value in this request has the wrong form (for example, an id that is not an id).",
    "22021": "The request contains a character that cannot be stored (a NUL character).",
    "22P05": "The request contains a character that cannot be stored.",
    "54000": "Something in this request is too long.",
    "54001": "Something in this request is nested too deeply.",
}
_DATA_ERROR_MESSAGE = "A value in this request does not fit: it is too long, too large or of the wrong kind."


def bad_input_message(exception: BaseException) -> str | None:
    """The 400 message for an exception caused by the request's values, or None for a real fault."""
    if isinstance(exception, IncorrectLookupParameters):
        cause = exception.args[0] if exception.args else None
        detail = " ".join(cause.messages) if isinstance(cause, ValidationError) else str(cause or "")
        return f"This list cannot be shown with those filters. {Truncator(detail).chars(200)}".strip()
    if isinstance(exception, ValidationError):
        return " ".join(exception.messages)
    if isinstance(exception, DatabaseError):
        sqlstate = getattr(exception.__cause__, "sqlstate", None) or ""
        if sqlstate in _SQLSTATE_MESSAGES:
            return _SQLSTATE_MESSAGES[sqlstate]
        # Class 22 is "data exception": the value, not the server, is at fault.
        return _DATA_ERROR_MESSAGE if isinstance(exception, DataError) or sqlstate.startswith("22") else None
    if isinstance(exception, OverflowError):
        return "A number or date in this request is too large."
    return None


API_PREFIX = "/api/"
UNKNOWN_HOST = "Bad request: this site does not answer to that host name."
SERVER_FAULT = "Something went wrong on the server; nothing was stored. Try again later."


def is_api(request) -> bool:
    """Whether `request` is for the tray's JSON API, whose every error is JSON (trayapi.api documents it)."""
    return request.path_info.startswith(API_PREFIX)


def api_problem(detail: str, status: int) -> JsonResponse:
    """An API error in its documented shape: {"detail": ..., "errors": [...]}."""
    return JsonResponse({"detail": detail, "errors": []}, status=status)


def _page(request, template: str, status: int, **context):
    return render(request, template, {**admin.site.each_context(request), **context}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    """400: what was wrong with the request, in words."""
    if isinstance(exception, DisallowedHost):
        # Nothing that asks for the host may run now (the admin's pages do): a plain answer.
        return api_problem(UNKNOWN_HOST, 400) if is_api(request) else HttpResponseBadRequest(UNKNOWN_HOST)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
        problem = f"The request is too large: at most {limit:g} MB can be sent at once."
    else:
        problem = str(exception) if isinstance(exception, _SAFE_TO_SHOW) and str(exception) else GENERIC_400
    if is_api(request):
        return api_problem(problem, 400)
    return _page(request, "400.html", 400, title="This request cannot be answered", problem=problem)


@requires_csrf_token
def permission_denied(request, exception=None):
    if is_api(request):
        return api_problem("Not allowed.", 403)
    # Our own refusals say why in words; Django's carry no message and get the general sentence.
    problem = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else None
    return _page(request, "403.html", 403, title="Not for this login", problem=problem)


@requires_csrf_token
def page_not_found(request, exception=None):
    if is_api(request):
        return api_problem("Not found: the tray API's calls are listed at /api/v1/openapi.json.", 404)
    return _page(request, "404.html", 404, title="Page not found")


@requires_csrf_token
def server_error(request):
    # Nothing here may touch the database or the request's user: the error may be theirs.
    if is_api(request):
        return api_problem(SERVER_FAULT, 500)
    return HttpResponseServerError(loader.get_template("500.html").render())
