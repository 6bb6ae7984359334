"""Load synthetic but realistic activity at scale, for load tests and benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from household.generator import activity_generate
from tonnysite.commands import refuse_on_production


class Command(BaseCommand):
    help = (
        "Generate --rows synthetic commands (with command history, sessions and system events) over the last "
        "--days days for --profiles generated family members, loaded with COPY; then bring usage statistics "
        "to the truth. Prints progress and rows per second. Refuses to run under production settings unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True, help="Activity rows to generate.")
        parser.add_argument("--days", type=int, default=90, help="Local days to spread them over, ending today.")
        parser.add_argument(
            "--profiles", type=int, default=None, help="Generated members to use (default: ~25 commands a day each)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random choices (same seed, same story).")
        parser.add_argument(
            "--indexes",
            choices=["auto", "rebuild", "keep"],
            default="auto",
            help="Drop and rebuild secondary indexes around the load (auto: when the table is smaller than the load).",
        )
        parser.add_argument("--force", action="store_true", help="Run even under production settings.")

    def handle(self, *args, **options):
        refuse_on_production(command="generate_activity", force=options["force"])
        try:
            report = activity_generate(
                rows=options["rows"],
                days=options["days"],
                profiles=options["profiles"],
                seed=options["seed"],
                indexes=options["indexes"],
                progress=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error), returncode=2) from error
        stats = report.statistics
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {report.rows:,} activity rows in {report.total_seconds:.1f} s "
                f"({report.rows_per_second:,.0f} rows/s overall)."
            )
        )
        self.stdout.write(
            f"  load (COPY): {report.load_seconds:.1f} s ({report.load_rows_per_second:,.0f} activity rows/s); "
            f"{report.history_rows:,} command history, {report.sessions:,} sessions, {report.events:,} system events"
        )
        self.stdout.write(f"  index rebuild: {report.indexes_rebuilt} indexes in {report.index_seconds:.1f} s")
        self.stdout.write(f"  analyze: {report.analyze_seconds:.1f} s")
        self.stdout.write(
            f"  usage statistics: {report.statistics_seconds:.1f} s "
            f"({stats.inserted:,} inserted, {stats.updated:,} updated, {stats.deleted:,} deleted)"
        )
        self.stdout.write(f"  members: {report.profiles:,}, days: {report.days}")
