"""What every admin form shares: reading a box line by line, and showing a service's refusal on the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme


def lines_of(text: str) -> list[str]:
    """The lines of a box, without the blank lines around them (blank lines inside stay, to be refused)."""
    return text.strip("\r\n \t").splitlines() if text.strip() else []


def service_errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has it, else on the form."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def page_to_return_to(request, default: str) -> str:
    """Where a form sends the parent after it: its `next` field when that is a page of this site, else `default`."""
    back = request.POST.get("next", "")
    return back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else default
