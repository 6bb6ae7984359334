"""Diagnostics (init.sh --check): exit 0 healthy, 1 warnings, 2 problems."""

import json

from django.core.management.base import BaseCommand

from operations.selectors import Level, health_report

MARKS = {Level.OK: "ok     ", Level.WARNING: "WARNING", Level.PROBLEM: "PROBLEM"}


class Command(BaseCommand):
    help = "Check the database and the server; exit code 0 healthy, 1 warnings, 2 problems."
    requires_system_checks = []  # a broken database is this command's subject, not a reason to stop

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        report = health_report()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), indent=2, default=str))
        else:
            for finding in report.findings:
                self.stdout.write(f"{MARKS[finding.level]}  {finding.topic}: {finding.text}")
            for row in report.figures.get("largest_tables", [])[:5]:
                self.stdout.write(
                    f"         largest: {row['table']} {row['bytes'] / 1_048_576:,.1f} MB, {row['live_rows']:,} rows"
                )
            self.stdout.write(f"Status: {report.level.name.lower()}")
        raise SystemExit(int(report.level))
