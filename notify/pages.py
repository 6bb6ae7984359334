"""The Notifications page (/admin/notifications/): a member's own channels, for family admins and users."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from notify import selectors, services
from notify.forms import ChannelAddForm, ChannelKindsForm
from notify.models import NotificationChannel, NotificationKind
from profiles.models import PermissionLevel
from tonnysite.familyadmin.forms import service_errors_to_form
from tonnysite.familyadmin.scoping import viewer_of

ROLES_WITH_CHANNELS = (PermissionLevel.ADMIN, PermissionLevel.USER)


def may_have_channels(request) -> bool:
    viewer = viewer_of(request)
    return viewer.profile is not None and viewer.role in ROLES_WITH_CHANNELS


def channels_page(request):
    """GET: the member's channels and the add form. POST `_action`: add, kinds, on, off, test, remove."""
    if not may_have_channels(request):
        raise PermissionDenied("Only family admins and users have notification channels.")
    profile = viewer_of(request).profile
    add_form = ChannelAddForm()
    if request.method == "POST":
        action = request.POST.get("_action", "")
        if action == "add":
            add_form = ChannelAddForm(request.POST)
            if add_form.is_valid():
                try:
                    channel = services.channel_add(
                        profile=profile,
                        address=add_form.cleaned_data["address"],
                        name=add_form.cleaned_data["name"],
                        kinds=add_form.cleaned_data["kinds"],
                    )
                except ValidationError as error:
                    service_errors_to_form(add_form, error)
                else:
                    messages.success(request, f"Added “{channel.name}”. Send it a test to see that it arrives.")
                    return HttpResponseRedirect(request.path)
        elif action in ("kinds", "on", "off", "test", "remove"):
            channel = get_object_or_404(selectors.channels_of(profile=profile), pk=_channel_id(request))
            _act(request, action, channel)
            return HttpResponseRedirect(request.path)
        else:
            messages.error(request, "Nothing to do: the form did not say what.")
            return HttpResponseRedirect(request.path)
    channels = list(selectors.channels_of(profile=profile))
    context = {
        **admin.site.each_context(request),
        "title": "Your notifications",
        "profile": profile,
        "add_form": add_form,
        "channels": [
            (channel, ChannelKindsForm(initial={"kinds": [k for k in NotificationKind.values if channel.sends(k)]}))
            for channel in channels
        ],
    }
    return TemplateResponse(request, "admin/notify/channels.html", context)


def _channel_id(request) -> int:
    text = request.POST.get("channel", "")
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise BadRequest("“channel” is the number of one of your channels.")
    return int(text)


def _act(request, action: str, channel: NotificationChannel) -> None:
    if action == "test":
        result = services.channel_test(channel=channel)
        (messages.success if result.sent else messages.error)(request, f"“{channel.name}”: {result.words}")
    elif action == "remove":
        services.channel_remove(channel=channel)
        messages.success(request, f"Removed “{channel.name}”.")
    elif action in ("on", "off"):
        services.channel_update(channel=channel, enabled=action == "on")
        messages.success(request, f"“{channel.name}” is switched {action}.")
    else:
        form = ChannelKindsForm(request.POST)
        if form.is_valid():
            services.channel_update(channel=channel, kinds=form.cleaned_data["kinds"])
            messages.success(request, f"Saved what “{channel.name}” is sent.")
        else:
            messages.error(request, "Choose from requests, alerts and the weekly report.")
