"""The bulk-edit and import pages of quick actions: thin adapters over quickactions.services.

The bulk edit is an admin action with an intermediate page (like Django's delete confirmation):
the selected ids travel with every step, the preview shows each row's before → after, and only
"Apply" changes anything. The import previews the uploaded file; the file's text travels in the
confirmation form and is read and checked again before anything is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from profiles.models import PermissionLevel
from quickactions import services
from quickactions.files import (
    CSV_HEADER,
    FORMATS,
    MAX_FILE_BYTES,
    csv_row,
    decode,
    export_json,
    export_rows,
    guess_format,
    read_file,
)
from quickactions.forms import QuickActionBulkEditForm, QuickActionImportForm
from tonnysite.familyadmin.export import csv_streaming_response
from tonnysite.familyadmin.forms import service_errors_to_form
from tonnysite.familyadmin.scoping import viewer_of

FIELD_LABELS = {
    "id": "id",
    "display_name": "display name",
    "icon": "icon",
    "category": "category",
    "required_permission": "required permission",
    "is_enabled": "enabled",
    "description": "description",
    "command_sequence": "commands",
    "metadata": "other metadata",
}


def value_words(name: str, value) -> str:
    """A value as the family reads it on a preview."""
    if name == "is_enabled":
        return "enabled" if value else "disabled"
    if name == "required_permission":
        return PermissionLevel(value).label if value in PermissionLevel.values else str(value)
    if name == "command_sequence":
        return " → ".join(value) if value else "(none)"
    if name == "metadata":
        return ", ".join(f"{key}: {item}" for key, item in value.items()) or "(none)"
    return str(value) if value not in ("", None) else "(none)"


def change_rows(change: services.QuickActionChange) -> list[tuple[str, str, str]]:
    return [
        (FIELD_LABELS[name], value_words(name, change.before[name]), value_words(name, after))
        for name, after in change.after.items()
    ]


def _context(request, model_admin, title: str, **extra) -> dict:
    opts = model_admin.opts
    return {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "title": title,
        "has_view_permission": True,
        **extra,
    }


def bulk_edit_page(request, *, queryset, model_admin):
    """The bulk-edit step of the action: form, preview (before → after) and apply on confirmation."""
    step = request.POST.get("_step")
    actions = list(queryset.order_by("display_name", "pk"))
    form = QuickActionBulkEditForm(request.POST if step in ("preview", "apply") else None)
    plan = None
    if form.is_bound and form.is_valid():
        try:
            if step == "apply":
                changed = services.quick_actions_bulk_update(
                    actions=queryset, changed_by=viewer_of(request).profile, **form.changes()
                )
                model_admin.message_user(request, f"{len(changed)} quick action(s) changed.", messages.SUCCESS)
                return None  # back to the list
            plan = services.quick_actions_bulk_plan(actions=actions, **form.changes())
        except ValidationError as error:
            service_errors_to_form(form, error)
    previews = [(change, change_rows(change)) for change in plan or []]
    context = _context(
        request,
        model_admin,
        f"Edit {len(actions)} quick actions together",
        form=form,
        actions=actions,
        previews=previews,
        changing=sum(1 for change in plan or [] if change.after),
        action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
        action_name=request.POST.get("action", "bulk_edit_selected"),
    )
    return TemplateResponse(request, "admin/quickactions/quickaction/bulk_edit.html", context)


def import_page(request, *, model_admin):
    """Upload a file, see what it would do, then import all of it or nothing."""
    changelist_url = reverse("admin:quickactions_quickaction_changelist", current_app=model_admin.admin_site.name)
    form = QuickActionImportForm()
    plan, problems, text, file_format = None, [], "", ""
    if request.method == "POST":
        file_format = request.POST.get("format") if request.POST.get("format") in FORMATS else ""
        try:
            if "_apply" in request.POST:
                text = request.POST.get("content", "")
                if len(text) > MAX_FILE_BYTES:
                    raise ValidationError("The file is too large.")
                rows = read_file(text, file_format=file_format or guess_format("", text))
                plan = services.quick_actions_import(rows=rows, changed_by=viewer_of(request).profile)
                model_admin.message_user(
                    request,
                    f"Imported: {len(plan.to_create)} created, {len(plan.to_change)} changed, "
                    f"{len(plan.unchanged)} unchanged.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(changelist_url)
            form = QuickActionImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size > MAX_FILE_BYTES:
                    raise ValidationError(f"The file is larger than {MAX_FILE_BYTES // 1_000_000} MB.")
                text = decode(upload.read())
                file_format = guess_format(upload.name, text)
                plan = services.quick_actions_import_plan(rows=read_file(text, file_format=file_format))
                problems = [str(problem) for problem in plan.problems]
        except ValidationError as error:
            problems = error.messages
            plan = None
    context = _context(
        request,
        model_admin,
        "Import quick actions",
        form=form,
        plan=plan,
        problems=problems,
        previews=[(change, change_rows(change)) for change in plan.to_change] if plan else [],
        content=text if plan and plan.is_valid else "",
        file_format=file_format,
        columns=", ".join(CSV_HEADER),
    )
    return TemplateResponse(request, "admin/quickactions/quickaction/import.html", context)


def export_response(queryset, *, file_format: str) -> HttpResponse:
    """The actions as a CSV (streamed) or JSON download."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "json":
        response = HttpResponse(export_json(queryset), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="quick-actions-{stamp}.json"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    return csv_streaming_response(f"quick-actions-{stamp}.csv", CSV_HEADER, _csv_rows(queryset))


def _csv_rows(queryset):
    for values in export_rows(queryset):
        yield csv_row(values)
