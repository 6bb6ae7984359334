"""Bad input stops here: NUL characters are refused up front, and a value the database cannot
take becomes a 400 with a sentence, never a 500 (see tonnysite.errors)."""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest

from tonnysite.errors import api_problem, bad_input_message, bad_request, is_api

logger = logging.getLogger("tonnysite.bad_input")


def nul_character_problem(request) -> str | None:
    """Say where the request carries a NUL character (path, query string or form), else None."""
    if "\x00" in request.path_info:
        return "The address contains a NUL character (%00), which no page accepts."
    for where, data in (("address", request.GET), ("form", request.POST)):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values if isinstance(value, str)):
                name = key.replace("\x00", "")[:60]
                return f"The {where} contains a NUL character (%00) in “{name}”, which no page accepts."
    return None


class BadInputMiddleware:
    """Answer bad input with a clear 400 in one place rather than a patch per page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = nul_character_problem(request)
        if problem is not None:
            return bad_request(request, BadRequest(problem))
        return self.get_response(request)

    def process_exception(self, request, exception):
        message = bad_input_message(exception)
        if message is None:
            return None
        # The database's own text is never logged or shown: it can quote a row holding a secret.
        logger.warning("Bad input answered with 400 on %s: %s", request.path, type(exception).__name__)
        return bad_request(request, BadRequest(message))


class ApiErrorsAsJsonMiddleware:
    """Under /api/, an error answer that is not JSON yet (a 405 from the router, anything a middleware
    answered on its own) becomes the documented `{"detail", "errors"}`, keeping its status and headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not is_api(request)
            or response.get("Content-Type", "").startswith("application/json")
            or getattr(response, "streaming", False)
        ):
            return response
        answer = api_problem(
            _API_WORDS.get(response.status_code, response.reason_phrase or "Error."), response.status_code
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer


_API_WORDS = {
    405: "This address does not take that method; the Allow header says which it takes.",
    413: "The request is too large.",
}
