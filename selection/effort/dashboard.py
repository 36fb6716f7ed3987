"""The effort dashboard's live figures from real labels: per arm, per annotator, over time.

One query fetches the live human answers as columns (numpy arrays); every figure is array
arithmetic on them. The result is cached under a key that changes whenever a label is added or
superseded, so the dashboard's polling costs one aggregate query while nothing changes.
"""

from __future__ import annotations

import numpy as np
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count

from annotation.models import Pair, PairStatus, Project, Response
from selection.effort import agreement, answers
from selection.effort.answers import CHOICES, Answers

CACHE_SECONDS = 600
SECONDS_BINS = (0, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300)
JUDGED = 4  # codes below this are judgements (skip is not)


def figures(project: Project) -> dict:
    data = answers.current(project)
    key = f"effort-dashboard:{project.id}:{data.marks.key}"
    result = cache.get(key)
    if result is None:
        result = compute(project, data)
        cache.set(key, result, CACHE_SECONDS)
    return result


def compute(project: Project, data: Answers | None = None) -> dict:
    data = answers.current(project) if data is None else data
    return {
        "progress": progress(project),
        "arms": arm_table(data, _queue_by_arm(project), candidate_pairs(project)),
        "annotators": annotator_table(data),
        "throughput": throughput(data.hour),
        "seconds_histogram": seconds_histogram(data.seconds),
        "labels": len(data),
    }


def progress(project: Project) -> dict:
    counts = dict(
        Pair.objects.filter(project=project).values_list("status").annotate(n=Count("id"))
    )
    total = sum(counts.values())
    done = counts.get(PairStatus.COMPLETE, 0)
    return {"pairs": total, "complete": done, "open": counts.get(PairStatus.OPEN, 0),
            "share": done / total if total else 0.0}  # fmt: skip


def candidate_pairs(project: Project) -> int:
    """Every pair a person could be shown: K(K−1)/2 over each prompt's K responses."""
    per_prompt = (
        Response.objects.filter(prompt__project=project)
        .values("prompt_id").annotate(k=Count("id")).values_list("k", flat=True)
    )  # fmt: skip
    return sum(k * (k - 1) // 2 for k in per_prompt)


def _queue_by_arm(project: Project) -> dict[str, dict]:
    out: dict[str, dict] = {}
    rows = Pair.objects.filter(project=project).values("arm", "strategy", "status")
    for row in rows.annotate(n=Count("id")).order_by():
        arm = out.setdefault(row["arm"], {"pairs": 0, "complete": 0, "strategy": row["strategy"]})
        arm["pairs"] += row["n"]
        arm["complete"] += row["n"] if row["status"] == PairStatus.COMPLETE else 0
    return out


def unit_counts(data: Answers) -> tuple[np.ndarray, np.ndarray]:
    """(pairs × judgements) answer counts, and each answer's row in it; skips are left out."""
    pairs, unit = np.unique(data.pair, return_inverse=True)
    keep = data.choice < JUDGED
    counts = np.zeros((len(pairs), JUDGED))
    np.add.at(counts, (unit[keep], data.choice[keep]), 1)
    return counts, unit


def _median(values: np.ndarray) -> float | None:
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else None


def _share(hits: np.ndarray, among: np.ndarray) -> float | None:
    return float(hits[among].mean()) if among.any() else None


def _quality(data: Answers, mask: np.ndarray) -> dict:
    """Figures shared by the arm and annotator tables."""
    gold_known = mask & (data.gold >= 0) & (data.choice != CHOICES.index("skip"))
    return {
        "labels": int(mask.sum()),
        "median_seconds": _median(data.seconds[mask]),
        "uninformative_rate": _share(data.choice >= 2, mask),
        "gold_agreement": _share(data.choice == data.gold, gold_known),
    }


def arm_table(data: Answers, queue: dict[str, dict], candidates: int = 0) -> list[dict]:
    counts, unit = unit_counts(data)
    unit_arm = np.full(len(counts), -1)
    unit_arm[unit] = data.arm  # every answer to a pair is in the pair's arm
    left = (data.choice == 0) ^ data.swapped
    table = []
    for name in sorted(set(queue) | set(data.arms)):
        code = data.arms.index(name) if name in data.arms else -1
        mask, mine = data.arm == code, counts[unit_arm == code]
        overlapping = mine[mine.sum(axis=1) >= 2]
        table.append({
            "arm": name, "strategy": queue.get(name, {}).get("strategy", ""),
            "pairs": queue.get(name, {}).get("pairs", 0),
            "complete": queue.get(name, {}).get("complete", 0), **_quality(data, mask),
            "total_seconds": float(np.nansum(data.seconds[mask])),
            "alpha": agreement.alpha_of_counts(overlapping),
            "raw_agreement": agreement.raw_agreement_of_counts(overlapping),
            "left_share": _share(left, mask & (data.choice < 2)),
            "candidate_reduction": _reduction(queue.get(name, {}).get("pairs", 0), candidates),
        })  # fmt: skip
    return table


def _reduction(sent: int, candidates: int) -> float | None:
    return 1.0 - sent / candidates if candidates else None


def majority_hits(data: Answers) -> tuple[np.ndarray, np.ndarray]:
    """Per answer: whether the *other* answers to its pair have a single most common judgement
    (valid), and whether this answer equals it (hit)."""
    counts, unit = unit_counts(data)
    judged = data.choice < JUDGED
    others = counts[unit]
    rows = np.flatnonzero(judged)
    others[rows, data.choice[rows]] -= 1
    ranked = np.sort(others, axis=1)
    valid = judged & (ranked[:, -1] > 0) & (ranked[:, -1] > ranked[:, -2])
    return valid, others.argmax(axis=1) == data.choice


def annotator_table(data: Answers) -> list[dict]:
    people, person = np.unique(data.person, return_inverse=True)
    names = dict(
        get_user_model().objects.filter(id__in=people.tolist()).values_list("id", "username")
    )
    valid, hit = majority_hits(data)
    table = []
    for index, user_id in enumerate(people.tolist()):
        mask = person == index
        row = {"annotator": names.get(user_id, str(user_id)), **_quality(data, mask)}
        row["gold_accuracy"] = row.pop("gold_agreement")
        row["majority_agreement"] = _share(hit, mask & valid)
        table.append(row)
    return sorted(table, key=lambda r: r["annotator"])


def throughput(hours: np.ndarray, buckets: int = 24) -> dict:
    """Labels per hour from the first label to the last, or per day when that spans more than
    `buckets` hours. `hours` counts hours since the epoch; buckets are in UTC."""
    if len(hours) == 0:
        return {"unit": "hour", "start": None, "counts": []}
    first = int(hours.min())
    unit = "hour" if hours.max() - first <= buckets else "day"
    if unit == "day":
        first -= first % 24
    series = np.bincount((hours - first) // (1 if unit == "hour" else 24))
    start = str(np.datetime64(first, "h")).replace("T", " ") + ":00"
    return {"unit": unit, "start": start, "counts": series.tolist()}


def seconds_histogram(seconds: np.ndarray) -> dict:
    values = seconds[np.isfinite(seconds)]
    edges = list(SECONDS_BINS) + [max(SECONDS_BINS[-1] + 1, float(values.max(initial=0)) + 1)]
    counts, _ = np.histogram(values, bins=edges)
    return {"edges": [round(e, 1) for e in edges], "counts": counts.tolist()}
