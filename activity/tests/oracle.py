"""An independent, row-by-row Python recomputation of the derived numbers, for tests to compare with."""

import math
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from activity.models import ActivityLog, CommandHistory, Session, UsageStatistic
from activity.statistics_sql import USAGE_STATISTIC_BREAKDOWNS, USAGE_STATISTIC_COUNTS

FINISHED = {"success", "failed", "timeout"}
STAT_FIELDS = [*USAGE_STATISTIC_COUNTS, *USAGE_STATISTIC_BREAKDOWNS]


def _error_type(row) -> str:
    meta = row.metadata or {}
    if meta.get("error_type"):
        return meta["error_type"]
    if row.status == "timeout":
        return "timeout"
    head = (row.error_message or "").split(":", 1)[0].strip(" ")[:100]
    return head or "unknown"


# Histogram buckets by their lower edge in ms, written out again here rather than imported.
EDGES = [0, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000]


def _percentile_disc(values: list[int], fraction: float) -> int:
    """PostgreSQL's percentile_disc: the first value whose position reaches the fraction."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


COMPONENTS = ("processing", "whisper", "n8n", "tts")


def _timings(rows) -> dict:
    result = {}
    for component in COMPONENTS:
        values = [getattr(row, f"{component}_time_ms") for row in rows]
        values = [value for value in values if value is not None]
        if values:
            result[component] = {
                "count": len(values),
                "sum": sum(values),
                "p50": _percentile_disc(values, 0.5),
                "p95": _percentile_disc(values, 0.95),
            }
    return result


def _timing_histograms(rows) -> list[list[int]]:
    histograms = []
    for component in COMPONENTS:
        counts = [0] * len(EDGES)
        for row in rows:
            value = getattr(row, f"{component}_time_ms")
            if value is not None:
                counts[max(i for i, edge in enumerate(EDGES) if edge <= value)] += 1
        histograms.append(counts)
    return histograms


def expected_statistics() -> dict:
    """{(profile_id, date): {field: value}} as the schema defines them, computed in Python."""
    zone = ZoneInfo(settings.TIME_ZONE)
    by_day = defaultdict(list)
    for row in ActivityLog.objects.filter(profile__isnull=False, status__in=FINISHED):
        by_day[(row.profile_id, row.timestamp.astimezone(zone).date())].append(row)
    categories, quick_actions = defaultdict(Counter), defaultdict(Counter)
    for pid, moment, category, quick_action in CommandHistory.objects.filter(profile__isnull=False).values_list(
        "profile_id", "timestamp", "command_category", "quick_action_id"
    ):
        if category:
            categories[(pid, moment.astimezone(zone).date())][category] += 1
        if quick_action is not None:
            quick_actions[(pid, moment.astimezone(zone).date())][quick_action] += 1
    # Sum exact timedeltas (microseconds), as PostgreSQL sums exact intervals: float seconds
    # would make 890 seconds 889.9999999 and floor it to 889.
    durations = defaultdict(timedelta)
    for pid, start, end in Session.objects.filter(profile__isnull=False, ended_at__isnull=False).values_list(
        "profile_id", "started_at", "ended_at"
    ):
        day = start.astimezone(zone).date()
        while day <= end.astimezone(zone).date():
            # In UTC: Python subtracts two times of one zone by the wall clock, a 25-hour day giving 24 hours.
            day_start = datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)
            day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
            overlap = min(end, day_end) - max(start, day_start)
            if overlap > timedelta(0):
                durations[(pid, day)] += overlap
            day += timedelta(days=1)

    expected = {}
    seconds = {key: total // timedelta(seconds=1) for key, total in durations.items()}
    for key in set(by_day) | {k for k, v in seconds.items() if v > 0}:
        rows = by_day.get(key, [])
        hours = Counter(row.timestamp.astimezone(zone).hour for row in rows)
        commands = Counter(row.command_text.strip(" ").lower() for row in rows)
        confidences = [row.transcription_confidence for row in rows if row.transcription_confidence is not None]
        expected[key] = {
            "command_count": len(rows),
            "success_count": sum(row.status == "success" for row in rows),
            "failure_count": sum(row.status != "success" for row in rows),
            "timeout_count": sum(row.status == "timeout" for row in rows),
            "total_duration_seconds": seconds.get(key, 0),
            "total_processing_time_ms": sum(row.processing_time_ms or 0 for row in rows),
            "average_confidence": (
                (sum(confidences) / len(confidences)).quantize(Decimal("0.01"), ROUND_HALF_UP) if confidences else None
            ),
            "unique_commands": len({row.command_text.strip(" ").lower() for row in rows}),
            "peak_usage_hour": min(hours, key=lambda hour: (-hours[hour], hour)) if hours else None,
            "device_breakdown": dict(
                Counter(row.metadata["device"] for row in rows if (row.metadata or {}).get("device"))
            ),
            "command_categories": dict(categories.get(key, {})),
            "error_types": dict(Counter(_error_type(row) for row in rows if row.status != "success")),
            "hourly_counts": [hours.get(hour, 0) for hour in range(24)],
            "timings": _timings(rows),
            "timing_histograms": _timing_histograms(rows),
            "top_commands": dict(sorted(commands.items(), key=lambda item: (-item[1], item[0]))[:20]),
            "quick_action_counts": dict(quick_actions.get(key, {})),
        }
    return expected


def stored_statistics() -> dict:
    return {
        (row["profile_id"], row["date"]): {field: row[field] for field in STAT_FIELDS}
        for row in UsageStatistic.objects.values("profile_id", "date", *STAT_FIELDS)
    }


def expected_last_active() -> dict:
    latest = {}
    for pid, moment in ActivityLog.objects.filter(profile__isnull=False, status__in=FINISHED).values_list(
        "profile_id", "timestamp"
    ):
        latest[pid] = max(latest.get(pid, moment), moment)
    return latest


def expected_session_counters() -> dict:
    counters = {pk: [0, 0] for pk in Session.objects.values_list("pk", flat=True)}
    for meta, status in ActivityLog.objects.values_list("metadata", "status"):
        sid = (meta or {}).get("session_id")
        for pk in counters:
            if str(pk) == sid:
                counters[pk][0] += 1
                counters[pk][1] += status in ("failed", "timeout")
    return {pk: tuple(v) for pk, v in counters.items()}
