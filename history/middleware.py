"""Name the signed-in login as the author of every change a request makes."""

from history.context import acting_as
from history.models import ChangeChannel

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ChangeActorMiddleware:
    """Writes come from POST and the like: those requests run as the signed-in login, via the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if request.method in SAFE_METHODS or user is None or not user.is_authenticated:
            return self.get_response(request)
        with acting_as(actor=user.get_username(), via=ChangeChannel.ADMIN):
            return self.get_response(request)
