"""The System health page: a thin adapter over operations.selectors, for family admins only."""

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from operations import selectors
from operations.services import Routine
from operations.tasks import SCHEDULE
from tonnysite.familyadmin.scoping import viewer_of

RECENT = 10


def health_page(request):
    """/admin/health/: a summary in words first, then open problems, failed sign-ins, backups, purges and jobs,
    and tonny_check's database figures under Details."""
    if not viewer_of(request).sees_every_profile:
        raise PermissionDenied
    report = selectors.health_report()
    since = report.checked_at - timedelta(hours=24)
    last_backup = selectors.last_operation("ops.backup")
    workers = selectors.workers_alive()
    summary = selectors.health_summary(report=report, last_backup=last_backup, workers=workers)
    context = {
        **admin.site.each_context(request),
        "title": "System health",
        "report": report,
        "summary": summary,
        # The colour of the summary: a problem of the checks is red; anything else needing a parent, yellow.
        "status": "ok" if summary.all_well else "problem" if report.level is selectors.Level.PROBLEM else "warning",
        "findings": [(finding.level.name.lower(), finding) for finding in report.findings],
        "open_events": selectors.open_problem_events().select_related("profile")[:RECENT],
        "open_events_count": sum((report.figures.get("open_events") or {}).values()),
        "failed_sign_ins": selectors.failed_sign_ins_recent(since=since)[:RECENT],
        "failed_sign_ins_count": report.figures.get("failed_sign_ins_24h", 0),
        "last_backup": last_backup,
        "last_restore": selectors.last_operation("ops.restore"),
        "last_purge": selectors.last_operation("ops.purge"),
        "maintenance": [(routine, selectors.last_operation(f"ops.maintain.{routine}")) for routine in Routine.ALL],
        "pending_notifications": selectors.pending_notifications(),
        "jobs": selectors.scheduled_jobs(schedule=SCHEDULE),
        "workers": workers,
    }
    return TemplateResponse(request, "admin/operations/health.html", context)
