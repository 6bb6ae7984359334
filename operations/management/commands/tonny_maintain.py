"""The seed's maintenance routines (weekly ANALYZE, daily VACUUM ANALYZE, monthly REINDEX)."""

from django.core.management.base import BaseCommand

from operations.commands import operation_errors
from operations.services import Routine, maintenance_run


class Command(BaseCommand):
    help = "Run ANALYZE, VACUUM ANALYZE and/or REINDEX (concurrently) on every table; without a flag, VACUUM ANALYZE."

    def add_arguments(self, parser):
        parser.add_argument("--analyze", action="store_true", help="Update the planner's statistics (weekly).")
        parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE (daily).")
        parser.add_argument("--reindex", action="store_true", help="REINDEX TABLE CONCURRENTLY (monthly).")

    def handle(self, *args, **options):
        routines = [routine for routine in Routine.ALL if options[routine]] or [Routine.VACUUM]
        for routine in routines:
            with operation_errors():
                result = maintenance_run(routine=routine)
            self.stdout.write(f"{routine}: {len(result.tables)} tables in {result.seconds:.1f} s.")
            if result.skipped:
                self.stderr.write(
                    f"{routine}: skipped {len(result.skipped)} tables this role does not own "
                    f"({', '.join(result.skipped[:5])}{' ...' if len(result.skipped) > 5 else ''}); "
                    "set DB_ADMIN_USER and DB_ADMIN_PASS to run it as the owner."
                )
