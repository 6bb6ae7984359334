"""The answer a family admin gives to a request (the buttons on the dashboard and the parental-controls page)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect

from parental import services
from parental.models import ParentRequest
from tonnysite.familyadmin.forms import page_to_return_to
from tonnysite.familyadmin.scoping import viewer_of


def decide_view(request, request_id):
    """POST /admin/requests/<id>/decide/: a family admin approves (15m, 1h, day) or declines a request."""
    viewer = viewer_of(request)
    if not viewer.sees_every_profile:
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    asked = ParentRequest.objects.filter(pk=request_id).first()
    back = page_to_return_to(request, "/admin/dashboard/")
    if asked is None:
        messages.error(request, "That request no longer exists.")
        return HttpResponseRedirect(back)
    answer = request.POST.get("answer", "")
    try:
        services.parent_request_decide(
            request=asked, approve=answer != "decline", length=answer if answer != "decline" else None,
            decided_by=viewer.profile,
        )  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Answered: {asked.profile.name} — {'declined' if answer == 'decline' else 'approved'}."
        )
    return HttpResponseRedirect(back)
