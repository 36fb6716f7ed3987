"""Figures for the lead's project page. Each function is a few aggregate queries."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from django.db.models import Count, F, Q
from django.utils import timezone

from annotation.models import (
    Assignment,
    AssignmentState,
    Choice,
    Label,
    LabelSource,
    Pair,
    Project,
)


def queue_by_status(project: Project) -> dict[str, int]:
    rows = Pair.objects.filter(project=project).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def labels_today(project: Project, now: datetime | None = None) -> int:
    start = (now or timezone.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return Label.objects.live().human().filter(pair__project=project, created_at__gte=start).count()


def annotator_table(project: Project) -> list[dict]:
    """Per annotator: labels, median active seconds, gold accuracy."""
    rows = (
        Label.objects.live()
        .human()
        .filter(pair__project=project)
        .values_list("annotator__username", "active_seconds", "choice", "pair__is_gold")
        .annotate(gold_choice=F("pair__gold_choice"))
    )
    seconds: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    gold: dict[str, list[bool]] = defaultdict(list)
    for username, active, choice, is_gold, gold_choice in rows:
        counts[username] += 1
        if active is not None:
            seconds[username].append(active)
        if is_gold and gold_choice:
            gold[username].append(choice == gold_choice)
    return [
        {
            "username": name,
            "labels": counts[name],
            "median_seconds": statistics.median(seconds[name]) if seconds[name] else None,
            "gold_answered": len(gold[name]),
            "gold_accuracy": sum(gold[name]) / len(gold[name]) if gold[name] else None,
        }
        for name in sorted(counts)
    ]


def recent_labels(project: Project, limit: int = 20):
    return (
        Label.objects.filter(pair__project=project)
        .select_related("annotator")
        .order_by("-created_at")[:limit]
    )


def live_leases(project: Project, now: datetime | None = None):
    return (
        Assignment.objects.filter(
            project=project,
            state=AssignmentState.ACTIVE,
            expires_at__gt=now or timezone.now(),
        )
        .select_related("annotator")
        .order_by("leased_at")
    )


def disagreements(project: Project, limit: int = 50) -> list[Pair]:
    """Pairs whose live human answers differ and that no lead has adjudicated yet."""
    decided = Q(labels__superseded_at__isnull=True) & ~Q(labels__choice=Choice.SKIP)
    human = decided & Q(labels__source=LabelSource.HUMAN)
    adjudicated = Label.objects.live().filter(source=LabelSource.ADJUDICATED)
    return list(
        Pair.objects.filter(project=project)
        .exclude(id__in=adjudicated.values("pair_id"))
        .annotate(
            answers=Count("labels", filter=human),
            distinct_choices=Count("labels__choice", filter=human, distinct=True),
        )
        .filter(distinct_choices__gt=1)
        .select_related("prompt")
        .order_by("-answers", "id")[:limit]
    )


def pair_answers(pair: Pair) -> list[Label]:
    return list(pair.labels.live().select_related("annotator").order_by("created_at"))
