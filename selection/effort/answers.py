"""Live human answers of a project as numpy columns, kept up to date incrementally.

Labels are append-only: a new answer is a new row (higher id) and a correction or undo only sets
`superseded_at` on the old one. So the columns are cached per project and, on the next look,
only rows with a higher id are fetched and newly superseded rows dropped. Anything else that
changes the figures (a pair becoming gold, pairs added) rebuilds the columns from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from django.core.cache import cache
from django.db import connection
from django.db.models import CharField, Count, Max, Q
from django.db.models.functions import Cast, Substr

from annotation.models import Label, LabelSource, Pair, Project

CHOICES = ("a", "b", "tie", "both_bad", "skip")
CODE = {c: i for i, c in enumerate(CHOICES)}
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Marks:
    """Cheap aggregates that tell whether the cached columns are still current."""

    last_label: int
    superseded: int
    pairs: tuple

    @property
    def key(self) -> str:
        return f"{self.last_label}-{self.superseded}-{'-'.join(map(str, self.pairs))}"


def marks(project: Project) -> Marks:
    labels = Label.objects.filter(pair__project=project).aggregate(
        last=Max("id"), superseded=Count("id", filter=Q(superseded_at__isnull=False))
    )
    pairs = Pair.objects.filter(project=project).aggregate(
        last=Max("id"), n=Count("id"), gold=Count("id", filter=~Q(gold_choice=""))
    )
    return Marks(
        labels["last"] or 0, labels["superseded"], (pairs["last"], pairs["n"], pairs["gold"])
    )


@dataclass(frozen=True)
class Answers:
    """One row per live human answer. `choice` and `gold` index CHOICES (gold −1: unknown);
    `arm` indexes `arms`; `hour` counts hours since the Unix epoch (UTC)."""

    ids: np.ndarray
    pair: np.ndarray
    person: np.ndarray
    choice: np.ndarray
    seconds: np.ndarray
    arm: np.ndarray
    swapped: np.ndarray
    gold: np.ndarray
    hour: np.ndarray
    arms: tuple[str, ...]
    marks: Marks | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def keep(self, mask: np.ndarray) -> Answers:
        columns = {f: getattr(self, f)[mask] for f in COLUMNS}
        return replace(self, **columns)


COLUMNS = ("ids", "pair", "person", "choice", "seconds", "arm", "swapped", "gold", "hour")


def current(project: Project) -> Answers:
    """The project's live human answers, from the cache where it is still current."""
    now = marks(project)
    key = f"effort-answers:{project.id}"
    cached: Answers | None = cache.get(key)
    if cached is None or cached.marks is None or cached.marks.pairs != now.pairs:
        data = _fetch(project, after=0, arms=())
    elif cached.marks == now:
        return cached
    else:
        data = _update(project, cached, now)
    data = replace(data, marks=now)
    cache.set(key, data, CACHE_SECONDS)
    return data


def _update(project: Project, cached: Answers, now: Marks) -> Answers:
    if now.superseded != cached.marks.superseded:
        gone = Label.objects.filter(
            pair__project=project, superseded_at__isnull=False, id__lte=cached.marks.last_label
        ).values_list("id", flat=True)
        cached = cached.keep(~np.isin(cached.ids, np.fromiter(gone, dtype=np.int64)))
    new = _fetch(project, after=cached.marks.last_label, arms=cached.arms)
    columns = {f: np.concatenate([getattr(cached, f), getattr(new, f)]) for f in COLUMNS}
    return Answers(**columns, arms=new.arms)


def _fetch(project: Project, *, after: int, arms: tuple[str, ...]) -> Answers:
    qs = (
        Label.objects.live()
        .filter(pair__project=project, source=LabelSource.HUMAN, id__gt=after)
        .annotate(hour=Substr(Cast("created_at", CharField()), 1, 13))
        .values_list(
            "id", "pair_id", "annotator_id", "choice", "active_seconds", "pair__arm",
            "pair__swapped", "pair__gold_choice", "hour",
        )
    )  # fmt: skip
    # A plain cursor: at 100k rows the ORM's per-row work costs more than the query.
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    cols = list(zip(*rows, strict=True)) if rows else [()] * 9
    arm_index = {name: i for i, name in enumerate(arms)}
    for name in cols[5]:
        arm_index.setdefault(name, len(arm_index))
    return Answers(
        ids=np.array(cols[0], dtype=np.int64), pair=np.array(cols[1], dtype=np.int64),
        person=np.array(cols[2], dtype=np.int64),
        choice=np.array([CODE[c] for c in cols[3]], dtype=np.int8),
        seconds=np.array([np.nan if s is None else s for s in cols[4]], dtype=float),
        arm=np.array([arm_index[a] for a in cols[5]], dtype=np.int32),
        swapped=np.array(cols[6], dtype=bool),
        gold=np.array([CODE.get(g, -1) for g in cols[7]], dtype=np.int8),
        hour=np.array(cols[8], dtype="datetime64[h]").astype(np.int64),
        arms=tuple(arm_index),
    )  # fmt: skip
