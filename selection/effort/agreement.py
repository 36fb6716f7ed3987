"""Agreement and answer-quality measures over plain rows (no database).

Answers are canonical choices: "a", "b", "tie", "both_bad", "skip". Skips carry no judgement
and are left out of every agreement figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import krippendorff
import numpy as np

JUDGEMENTS = ("a", "b", "tie", "both_bad")
UNINFORMATIVE = frozenset({"tie", "both_bad", "skip"})


def uninformative_rate(choices: Iterable[str]) -> float | None:
    choices = list(choices)
    if not choices:
        return None
    return sum(c in UNINFORMATIVE for c in choices) / len(choices)


def value_counts(units: Mapping[object, list[str]]) -> np.ndarray:
    """(units × judgements) counts for units with two or more judgements."""
    rows = []
    for answers in units.values():
        counts = Counter(a for a in answers if a in JUDGEMENTS)
        if sum(counts.values()) >= 2:
            rows.append([counts[j] for j in JUDGEMENTS])
    return np.array(rows, dtype=float).reshape(-1, len(JUDGEMENTS))


def krippendorff_alpha(units: Mapping[object, list[str]]) -> float | None:
    """Nominal Krippendorff's α over pairs answered by two or more people (`krippendorff`)."""
    return alpha_of_counts(value_counts(units))


def alpha_of_counts(counts: np.ndarray) -> float | None:
    """α from a (units × judgements) count matrix; units with fewer than two answers are
    left out (they carry no agreement information)."""
    counts = counts[counts.sum(axis=1) >= 2]
    if len(counts) == 0 or (counts.sum(axis=0) > 0).sum() < 2:
        return None  # no overlap, or every answer the same value: α is undefined
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def raw_agreement(units: Mapping[object, list[str]]) -> float | None:
    """Observed pairwise agreement: of all pairs of answers to the same unit, the share equal."""
    return raw_agreement_of_counts(value_counts(units))


def raw_agreement_of_counts(counts: np.ndarray) -> float | None:
    totals = counts.sum(axis=1)
    pairs = (totals * (totals - 1)).sum()
    if pairs == 0:
        return None
    return float((counts * (counts - 1)).sum() / pairs)


def position_bias(rows: Iterable[tuple[str, bool]]) -> float | None:
    """Share of A/B answers that picked the response shown on the left (0.5 = no bias).

    rows: (canonical choice, swapped) — a swapped pair shows response B on the left.
    """
    left = total = 0
    for choice, swapped in rows:
        if choice not in ("a", "b"):
            continue
        total += 1
        left += (choice == "b") if swapped else (choice == "a")
    return left / total if total else None


def gold_agreement(rows: Iterable[tuple[str, str]]) -> float | None:
    """Share of answers equal to the known answer, over (choice, gold choice) rows."""
    rows = [(c, g) for c, g in rows if g and c != "skip"]
    if not rows:
        return None
    return sum(c == g for c, g in rows) / len(rows)


def majority_agreement(units: Mapping[object, list[tuple[object, str]]]) -> dict[object, float]:
    """Per annotator: share of their answers that match the majority of the *other* answers to
    the same unit, over units where the others have a single most common answer."""
    hits: Counter = Counter()
    seen: Counter = Counter()
    for answers in units.values():
        for who, mine in answers:
            if mine not in JUDGEMENTS:
                continue
            others = Counter(a for w, a in answers if w != who and a in JUDGEMENTS).most_common(2)
            if not others or (len(others) == 2 and others[0][1] == others[1][1]):
                continue
            seen[who] += 1
            hits[who] += mine == others[0][0]
    return {who: hits[who] / seen[who] for who in seen}
