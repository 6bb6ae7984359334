"""Create the application, owner and reporting roles and the database, then migrate as the owner (init.sh)."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from operations.commands import operation_errors
from operations.database import admin_login, app_login, role_names
from operations.services import database_initialise
from tonnysite.env import environment


class Command(BaseCommand):
    help = (
        "With DB_ADMIN_USER/DB_ADMIN_PASS, create (when missing) the CRUD-only application role DB_USER, "
        "the owner role DB_OWNER, the read-only reporting role DB_REPORT_USER and the database DB_NAME, "
        "then migrate as the owner. Re-running is harmless; it is also how an upgrade migrates."
    )

    # The model checks connect (GeneratedField asks the server), and the role may not exist yet.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-prompt",
            action="store_true",
            help="Take every password from the environment (DB_ADMIN_PASS, DB_PASS, DB_REPORT_PASS).",
        )

    def handle(self, *args, **options):
        env = environment()
        prompt = not options["no_prompt"] and sys.stdin.isatty()
        if not env.str("DB_ADMIN_USER", default=""):
            raise CommandError(
                "Set DB_ADMIN_USER (and DB_ADMIN_PASS) to a PostgreSQL role that may create roles and databases, "
                "e.g. DB_ADMIN_USER=postgres."
            )
        admin_password = env.str("DB_ADMIN_PASS", default=None)
        if admin_password is None and prompt:
            admin_password = getpass.getpass(f"Password of the admin {env.str('DB_ADMIN_USER')}: ")
        app_password = env.str("DB_PASS", default="") or app_login().password or None
        if app_password is None and prompt:
            app_password = (
                getpass.getpass(f"Password for the application role {role_names().app} (blank: keep): ") or None
            )
        reporting_password = env.str("DB_REPORT_PASS", default="") or None
        if reporting_password is None and prompt:
            reporting_password = (
                getpass.getpass(f"Password for the reporting role {role_names().reporting} (blank: no login): ") or None
            )
        admin = admin_login(password=admin_password or "")
        with operation_errors():
            report = database_initialise(
                admin=admin, app_password=app_password, reporting_password=reporting_password, say=self.stdout.write
            )
        roles = role_names()
        self.stdout.write(
            self.style.SUCCESS(
                f"Ready: {app_login().dbname} owned by {roles.owner}; the application runs as {roles.app} "
                f"(CRUD only); {roles.reporting} reads everything"
                + (
                    ""
                    if reporting_password
                    else " (no login until it has a password: set DB_REPORT_PASS and run again)"
                )
                + f". Created: {', '.join(report.created) or 'nothing (all there already)'}."
            )
        )
