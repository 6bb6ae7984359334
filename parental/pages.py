"""The parental-controls page of one member: a thin adapter over parental.services and parental.rules.

Each box posts on its own (the submit button's `_form` says which): the controls (limits,
windows, command lists), the PIN, the pause, the family's calendar. "What would happen" is a
GET, so it changes nothing. Every time is shown in the family's zone, which the page names.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters

from parental import rules, services
from parental.forms import FamilyCalendarForm, ParentalControlsForm, PauseForm, PinForm, PreviewForm
from parental.selectors import member_today, parent_requests_pending
from profiles.models import UserProfile
from profiles.services import pin_set
from tonnysite.clock import family_zone
from tonnysite.familyadmin.forms import page_to_return_to
from tonnysite.familyadmin.scoping import viewer_of

FORMS = ("controls", "pin", "pause", "resume", "calendar")


def controls_summary(profile: UserProfile) -> str:
    """The member's controls in one line, for the profile page."""
    controls = rules.controls_of(profile.usage_limits)
    parts = []
    for label, value in (
        ("daily", controls.daily_limit),
        ("school days", controls.school_day_limit),
        ("weekends", controls.weekend_limit),
    ):
        if value is not None:
            parts.append(f"{label} {value} min")
    for day_type in rules.DayType.values:
        windows = controls.windows_for(day_type)
        if windows is not None:
            labels = ", ".join(w.label() for w in windows) or "never"
            parts.append(f"{rules.DayType(day_type).label} {labels}")
    if profile.allowed_commands is not None:
        parts.append(f"{len(profile.allowed_commands)} allowed commands")
    if profile.blocked_commands:
        parts.append(f"{len(profile.blocked_commands)} blocked commands")
    if controls.pause is not None:
        parts.append("paused")
    return "; ".join(parts) or "No limits, hours or command lists."


@sensitive_post_parameters("pin")
def parental_controls_page(request, *, profile: UserProfile, model_admin):
    zone = family_zone()
    now = timezone.now()
    kind = request.POST.get("_form") if request.method == "POST" else None
    if request.method == "POST" and kind not in FORMS:
        raise BadRequest("This form does not say which box it belongs to: reload the page and try again.")
    updated_by = viewer_of(request).profile
    controls_form = ParentalControlsForm(
        request.POST if kind == "controls" else None, initial=ParentalControlsForm.initial_for(profile)
    )
    pin_form = PinForm(request.POST if kind == "pin" else None)
    pause_form = PauseForm(request.POST if kind == "pause" else None)
    calendar_form = FamilyCalendarForm(request.POST if kind == "calendar" else None)
    saved = None
    if kind:
        saved = _save(kind, profile, controls_form, pin_form, pause_form, calendar_form, updated_by, now)
        if saved:
            messages.success(request, saved)
            # A Resume button elsewhere (a dashboard or home card) sends the parent back where they were.
            return HttpResponseRedirect(page_to_return_to(request, request.path))

    today = member_today(profile=profile, now=now)
    if not calendar_form.is_bound:
        calendar_form = FamilyCalendarForm(initial=FamilyCalendarForm.initial_for(today.calendar))
    preview_form = PreviewForm(request.GET if "command" in request.GET else None)
    preview = None
    if preview_form.is_bound and preview_form.is_valid():
        preview = rules.policy_decide(
            profile=profile, command=preview_form.cleaned_data["command"], at=preview_form.cleaned_data["at"] or now
        )
    controls = rules.controls_of(profile.usage_limits)
    opts = model_admin.opts
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "original": profile,
        "profile": profile,
        "title": f"Parental controls: {profile.name}",
        "subtitle": profile.name,
        "has_view_permission": True,
        "zone": zone.key,
        "now": now.astimezone(zone),
        "today": today,
        "used_minutes": int(today.minutes_used + 0.5),  # rounded as the home page and dashboard show it
        "bar_max": max(today.limit_minutes or 0, int(today.minutes_used), 1),
        "controls": controls,
        "pause_until": controls.pause.until.astimezone(zone) if controls.pause and controls.pause.until else None,
        "paused_now": controls.pause is not None and controls.pause.covers(now),
        "controls_form": controls_form,
        "pin_form": pin_form,
        "pause_form": pause_form,
        "calendar_form": calendar_form,
        "preview_form": preview_form,
        "preview": preview,
        "preview_until": preview.until.astimezone(zone) if preview and preview.until else None,
        "reasons": dict(rules.Reason.choices),
        "parent_requests": parent_requests_pending(profile=profile),
    }
    # A form sent back with its errors answers 200, as Django's admin forms do.
    return TemplateResponse(request, "admin/profiles/userprofile/parental_controls.html", context)


def _save(kind, profile, controls_form, pin_form, pause_form, calendar_form, updated_by, now) -> str | None:
    """Save one box; the message to show, or None when the form has errors (shown on the page)."""
    try:
        with transaction.atomic():
            if kind == "controls" and controls_form.is_valid():
                controls_form.save(profile)
                return f"Saved {profile.name}'s limits, hours and commands."
            if kind == "pin" and pin_form.is_valid():
                clear = pin_form.cleaned_data["clear_pin"]
                pin_set(profile=profile, pin=None if clear else pin_form.cleaned_data["pin"])
                return f"Removed {profile.name}'s PIN." if clear else f"Set a new PIN for {profile.name}."
            if kind == "pause" and pause_form.is_valid():
                choice = pause_form.cleaned_data["pause_for"]
                services.profile_pause(profile=profile, minutes=None if choice == "resume" else int(choice), now=now)
                return f"Paused Tonny for {profile.name}."
            if kind == "resume":
                services.profile_resume(profile=profile)
                return f"Tonny is back on for {profile.name}."
            if kind == "calendar" and calendar_form.is_valid():
                calendar_form.save(updated_by=updated_by)
                return "Saved the family's calendar."
    except ValidationError:
        pass  # the form holds the errors
    return None
