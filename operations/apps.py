from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Roles, backups, restores, maintenance, retention, the scheduled jobs and the System health page."""

    name = "operations"
    verbose_name = "Operations"

    def ready(self):
        from django.contrib import admin
        from procrastinate.contrib.django import models as job_models

        from operations.urls import pages
        from tonnysite.familyadmin.scoping import viewer_of

        admin.site.pages_register(*pages)
        admin.site.index_link_register(
            section="System", name="Health", url_name="system_health",
            shown_to=lambda request: viewer_of(request).sees_every_profile,
        )  # fmt: skip
        # Parents see the jobs on the System health page; Procrastinate's own tables (task arguments,
        # worker ids) stay out of the family's admin.
        for model in (job_models.ProcrastinateJob, job_models.ProcrastinateEvent, job_models.ProcrastinateWorker,
                      job_models.ProcrastinatePeriodicDefer):  # fmt: skip
            if admin.site.is_registered(model):
                admin.site.unregister(model)
