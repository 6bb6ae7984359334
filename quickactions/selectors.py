"""Reads for quick actions: how often each ran lately, and the categories in use."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from activity.models import CommandHistory
from quickactions.models import QuickAction

QUICK_ACTION_USE_DAYS = 30


def quick_actions_with_recent_uses(queryset: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """Annotate `recent_uses`: commands the action triggered in the last 30 days (one subquery, no N+1)."""
    since = (now or timezone.now()) - timedelta(days=QUICK_ACTION_USE_DAYS)
    uses = (
        CommandHistory.objects.filter(quick_action_id=OuterRef("pk"), timestamp__gte=since)
        .order_by()
        .values("quick_action_id")
        .annotate(count=Count("*"))
        .values("count")
    )
    return queryset.annotate(
        recent_uses=Coalesce(Subquery(uses, output_field=IntegerField()), Value(0)),
        command_count=Coalesce(
            Func(F("command_sequence"), function="cardinality", output_field=IntegerField()), Value(0)
        ),
    )


def quick_action_categories() -> list[str]:
    """Every category the quick actions use, sorted (one query)."""
    # GROUP BY rather than DISTINCT: the change lists never run SELECT DISTINCT.
    return list(
        QuickAction.objects.annotate(category=KT("metadata__category"))
        .exclude(category__isnull=True)
        .exclude(category="")
        .values("category")
        .annotate(actions=Count("*"))
        .order_by("category")
        .values_list("category", flat=True)
    )
