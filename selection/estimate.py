"""Model competency estimated from the project's own labels: a Bradley–Terry fit over models
(`choix`, regularised iterative Luce spectral ranking) with bootstrap standard errors."""

from __future__ import annotations

import choix
import numpy as np
from django.db import transaction

from annotation.models import Choice, Label, LabelSource, Project
from selection.models import ModelProfile

DECIDING = (LabelSource.HUMAN, LabelSource.ADJUDICATED, LabelSource.IMPORTED)


def comparisons(project: Project) -> tuple[list[str], list[tuple[int, int]]]:
    """Model names and (winner, loser) index pairs from live decisive labels."""
    rows = (
        Label.objects.live()
        .filter(pair__project=project, source__in=DECIDING, choice__in=[Choice.A, Choice.B])
        .values_list("choice", "pair__response_a__model_name", "pair__response_b__model_name")
    )
    names: dict[str, int] = {}
    games: list[tuple[int, int]] = []
    for choice, model_a, model_b in rows:
        if not model_a or not model_b or model_a == model_b:
            continue
        a, b = names.setdefault(model_a, len(names)), names.setdefault(model_b, len(names))
        games.append((a, b) if choice == Choice.A else (b, a))
    return list(names), games


def bradley_terry(n: int, games: list[tuple[int, int]], *, boot: int, seed: int):
    """Strengths (mean 0) and bootstrap standard errors."""
    strengths = choix.ilsr_pairwise(n, games, alpha=0.01)
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(boot):
        resample = [games[i] for i in rng.integers(0, len(games), size=len(games))]
        samples.append(choix.ilsr_pairwise(n, resample, alpha=0.01))
    se = np.std(samples, axis=0) if samples else np.full(n, np.nan)
    return strengths, se


def competency_estimate(
    *, project: Project, boot: int = 30, seed: int = 0, replace_imported: bool = False
) -> int:
    """Write `estimated` profiles; imported ones are kept unless `replace_imported`."""
    names, games = comparisons(project)
    if len(names) < 2 or not games:
        return 0
    strengths, se = bradley_terry(len(names), games, boot=boot, seed=seed)
    played = np.bincount(np.array(games).ravel(), minlength=len(names))
    keep = set()
    if not replace_imported:
        keep = set(
            ModelProfile.objects.filter(
                project=project, source=ModelProfile.Source.IMPORTED
            ).values_list("model_name", flat=True)
        )
    written = 0
    with transaction.atomic():
        for i, name in enumerate(names):
            if name in keep:
                continue
            benchmarks = {
                "bt_strength": float(strengths[i]),
                "bt_se": float(se[i]),
                "comparisons": int(played[i]),
            }
            ModelProfile.objects.update_or_create(
                project=project,
                model_name=name,
                defaults={
                    "competency": float(strengths[i]),
                    "source": ModelProfile.Source.ESTIMATED,
                    "benchmarks": benchmarks,
                },
            )
            written += 1
    return written
