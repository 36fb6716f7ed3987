"""Model competency profiles for KARMA: normalised vectors, Q and buckets, versioned by pool."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction

from annotation.models import Project
from selection import karma
from selection.models import ModelProfile

# Stored beside an estimated profile's Bradley–Terry strength for people to read (selection/
# estimate.py); the fit's error and game count are not competencies.
FIT_DETAILS = frozenset({"bt_se", "comparisons"})


@dataclass(frozen=True)
class Pool:
    """The project's model pool: names, KARMA-normalised vectors (rows) and buckets."""

    names: tuple[str, ...]
    vectors: np.ndarray
    buckets: np.ndarray
    columns: tuple[str, ...]

    def rows_for(self, model_names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors and buckets aligned with `model_names`; NaN / -1 for unknown models."""
        index = {name: i for i, name in enumerate(self.names)}
        width = self.vectors.shape[1] if self.vectors.size else 1
        vectors = np.full((len(model_names), width), np.nan)
        buckets = np.full(len(model_names), -1)
        for row, name in enumerate(model_names):
            if name in index:
                vectors[row] = self.vectors[index[name]]
                buckets[row] = self.buckets[index[name]]
        return vectors, buckets


def competency_columns(profiles: list[ModelProfile]) -> list[str]:
    """The benchmark vector's columns: what the import was told to use (import_models
    --benchmark-columns warns about columns that look like counts, errors or lengths)."""
    return sorted({key for p in profiles for key in p.benchmarks} - FIT_DETAILS)


def pool_load(project_id: int) -> Pool:
    profiles = list(ModelProfile.objects.filter(project_id=project_id).order_by("model_name"))
    columns = competency_columns(profiles)
    if not profiles:
        return Pool((), np.zeros((0, 1)), np.zeros(0, dtype=int), ())
    raw = _raw_matrix(profiles, columns)
    buckets = np.array([p.bucket if p.bucket is not None else 0 for p in profiles])
    names = tuple(p.model_name for p in profiles)
    return Pool(names, karma.normalise(raw), buckets, tuple(columns) or ("competency",))


def _raw_matrix(profiles: list[ModelProfile], columns: list[str]) -> np.ndarray:
    if not columns:
        return np.array([[np.nan if p.competency is None else p.competency] for p in profiles])
    return np.array([[p.benchmarks.get(c, np.nan) for c in columns] for p in profiles], dtype=float)


def competency_buckets_compute(*, project: Project, count: int = 3) -> str:
    """Bucket the project's models by KARMA Q (quantiles); returns the pool version written."""
    with transaction.atomic():
        profiles = list(
            ModelProfile.objects.select_for_update().filter(project=project).order_by("model_name")
        )
        if not profiles:
            return ""
        columns = competency_columns(profiles)
        q = karma.quality(karma.normalise(_raw_matrix(profiles, columns)))
        version = karma.pool_version(
            {p.model_name: p.benchmarks or {"q": p.competency} for p in profiles}
        )
        for profile, bucket in zip(profiles, karma.buckets(q, count), strict=True):
            profile.bucket = int(bucket)
            profile.pool_version = version
        ModelProfile.objects.bulk_update(profiles, ["bucket", "pool_version"])
        return version
