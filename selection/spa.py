"""SPA rounds (arXiv 2406.04412): train the policy on what is known, judge unlabeled pairs with
it, keep the confident judgements as model labels, send noisy ones and an audit sample to people.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotation.export.aggregate import Policy, Vote, decide
from annotation.models import Label, LabelSource, Pair, PairStatus, Project
from selection.judges import routing
from selection.models import SpaRound

JUDGES = ("implicit", "embedding")
DEFAULTS = {
    "judge": "implicit", "noisy_share": 0.1, "audit_share": 0.05, "low_confidence": "human",
    "arm": "", "limit": None, "beta": 0.1, "epochs": 1.0, "lora": False, "seed": 0,
    "learning_rate": 5e-6, "max_length": 512, "expand": 0, "max_new_tokens": 256,
}  # fmt: skip
# Numeric parameters: (type, lowest, highest). Bounded, so no value overflows the database's
# integers (an unbounded `limit` reached SQLite's LIMIT as a datatype mismatch).
NUMBERS = {
    "noisy_share": (float, 0.0, 0.5), "audit_share": (float, 0.0, 0.5), "beta": (float, 0.001, 10),
    "epochs": (float, 0.01, 100), "learning_rate": (float, 1e-9, 1.0), "limit": (int, 1, 10**9),
    "max_length": (int, 16, 32768), "seed": (int, 0, 2**31 - 1), "expand": (int, 0, 10**6),
    "max_new_tokens": (int, 1, 4096),
}  # fmt: skip
ARM_MAX_LENGTH = Pair._meta.get_field("arm").max_length
# SPA's extrapolation strength for de-coupled noise detection, per round (1/2, 1/4, 1/8).
LAMBDAS = {1: 0.5, 2: 0.25, 3: 0.125}


class SpaError(ValueError):
    """A round cannot run, for a reason a lead can act on."""


def spa_params(raw: dict) -> dict:
    params = DEFAULTS | {k: v for k, v in raw.items() if v is not None and k in DEFAULTS}
    if params["judge"] not in JUDGES:
        raise SpaError(f"judge: choose one of {', '.join(JUDGES)}")
    if params["low_confidence"] not in ("human", "smooth"):
        raise SpaError("low_confidence: choose human or smooth")
    params["arm"] = _arm(params["arm"])
    for key, bounds in NUMBERS.items():
        if params[key] is not None:
            params[key] = _number(key, params[key], *bounds)
    if params["expand"] and params["judge"] != "implicit":
        raise SpaError("expand: new responses are written by the policy; use the implicit judge")
    return params


def _arm(value) -> str:
    """An arm name as pairs store it: at most 100 printable characters."""
    arm = str(value).strip()
    if len(arm) > ARM_MAX_LENGTH or not arm.isprintable():
        raise SpaError(f"arm: at most {ARM_MAX_LENGTH} printable characters, got {arm[:40]!r}")
    return arm


def _number(key: str, value, kind: type, low, high):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        what = "an integer" if kind is int else "a number"
        raise SpaError(f"{key}: {value!r} is not {what}") from None
    if number < low or (high is not None and number > high):
        raise SpaError(f"{key}: must be between {low} and {high if high is not None else 'any'}")
    return number


def spa_round_start(*, project: Project, params: dict, number: int | None = None) -> SpaRound:
    from selection.tasks import judge_spa_round

    params = spa_params(params)
    last = SpaRound.objects.filter(project=project).order_by("-number").first()
    number = number or (last.number + 1 if last else 1)
    if SpaRound.objects.filter(project=project, number=number).exists():
        raise SpaError(f"round: {number} exists already; the next round is {last.number + 1}")
    parent = SpaRound.objects.filter(project=project, number=number - 1).first()
    with transaction.atomic():
        spa = SpaRound.objects.create(project=project, number=number, parent=parent,
                                      judge=params.pop("judge"), params=params)  # fmt: skip
        judge_spa_round.delay_on_commit(spa.id)
    return spa


def spa_round_execute(*, round_id: int) -> SpaRound:
    claimed = SpaRound.objects.filter(
        id=round_id, status__in=[SpaRound.Status.PENDING, SpaRound.Status.RUNNING]
    ).update(status=SpaRound.Status.RUNNING)
    spa = SpaRound.objects.select_related("project", "parent").get(id=round_id)
    if not claimed:
        return spa
    # A round queued before an option existed runs with that option's default.
    spa.params = {k: v for k, v in DEFAULTS.items() if k != "judge"} | spa.params
    try:
        pairs = candidates(spa)
        if not pairs and not spa.params["expand"]:
            raise SpaError("no unlabeled open pairs to judge (select pairs first)")
        pairs, judged = _judge(spa, pairs)
        _check_finite(judged)
        actions = routing.route(judged, _policy(spa), np.random.default_rng(spa.params["seed"]))
        spa.counts = _write(spa, pairs, judged, actions)
    except SpaError as exc:
        return _finish(spa, SpaRound.Status.FAILED, str(exc))
    except Exception as exc:
        # Recorded so the dashboard shows the failure; re-raised so the worker logs the trace.
        _finish(spa, SpaRound.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    return _finish(spa, SpaRound.Status.DONE)


def _check_finite(judged) -> None:
    bad = sum(not np.isfinite(j.p_a) or not np.isfinite(j.dnd_margin) for j in judged)
    if bad:
        raise SpaError(f"judge: {bad} of {len(judged)} pairs got no finite score; nothing was "
                       "labeled (check the responses' embeddings or the model)")  # fmt: skip


def _policy(spa: SpaRound) -> routing.RoutingPolicy:
    p = spa.params
    return routing.RoutingPolicy(p["noisy_share"], p["audit_share"], p["low_confidence"])


def _finish(spa: SpaRound, status: str, error: str = "") -> SpaRound:
    spa.status, spa.error, spa.finished_at = status, error, timezone.now()
    spa.progress = 1.0 if status == SpaRound.Status.DONE else spa.progress
    spa.save(update_fields=["status", "error", "finished_at", "progress", "counts",
                            "policy_path", "lineage"])  # fmt: skip
    return spa


def stage(spa: SpaRound, name: str, low: float, high: float):
    def report(fraction: float) -> None:
        value = round(low + (high - low) * fraction, 3)
        SpaRound.objects.filter(id=spa.id).update(progress=value, stage=name)

    report(0.0)
    return report


def candidates(spa: SpaRound) -> list[tuple]:
    """Open pairs (of the round's arm, if set) that nobody — person or judge — has labeled."""
    labeled = Label.objects.live().filter(pair__project=spa.project).values("pair_id")
    pairs = Pair.objects.filter(project=spa.project, status=PairStatus.OPEN, is_gold=False)
    if spa.params.get("arm"):
        pairs = pairs.filter(arm=spa.params["arm"])
    rows = pairs.exclude(id__in=labeled).order_by("id").values_list(
        "id", "prompt__text", "response_a_id", "response_b_id", "response_a__text",
        "response_b__text",
    )  # fmt: skip
    limit = spa.params.get("limit")
    return list(rows[: int(limit)] if limit else rows)


def training_rows(project: Project, before_round: int) -> list[dict]:
    """Preference rows the policy learns from: people's decisions, and earlier rounds' labels."""
    votes: dict[int, list[Vote]] = {}
    earlier = [f"spa-round-{n}" for n in range(1, before_round)]
    labels = Label.objects.live().filter(pair__project=project)
    for pair_id, source, choice, judge in labels.values_list("pair_id", "source", "choice",
                                                             "judge"):  # fmt: skip
        if source != LabelSource.MODEL or judge in earlier:
            votes.setdefault(pair_id, []).append(Vote(source, choice))
    texts = Pair.objects.filter(id__in=list(votes)).values_list(
        "id", "prompt__text", "response_a__text", "response_b__text"
    )
    rows = []
    for pair_id, prompt, a, b in texts:
        decision = decide(votes[pair_id], Policy(include_model_labels=True))
        if decision.winner:
            chosen, rejected = (a, b) if decision.winner == "a" else (b, a)
            rows.append({"prompt": prompt, "chosen": chosen, "rejected": rejected})
    return rows


def _judge(spa: SpaRound, pairs: list[tuple]):
    if spa.judge == "embedding":
        from selection.spa_judges import embedding_judgements

        return embedding_judgements(spa, pairs, stage(spa, "judging", 0.1, 0.9))
    from selection.spa_judges import implicit_judgements

    return implicit_judgements(spa, pairs, stage)


def _write(spa: SpaRound, pairs: list[tuple], judged, actions: list[str]) -> dict:
    labels, done = [], []
    for row, judgement, action in zip(pairs, judged, actions, strict=True):
        if action == routing.NOISY_HUMAN:
            continue
        smoothing = routing.SMOOTHING if action == routing.NOISY_SMOOTH else 0.0
        labels.append(Label(pair_id=row[0], source=LabelSource.MODEL, judge=spa.judge_name,
                            choice=judgement.choice, confidence=judgement.confidence,
                            smoothing=smoothing))  # fmt: skip
        if action != routing.AUDIT:
            done.append(row[0])
    with transaction.atomic():
        Label.objects.bulk_create(labels, batch_size=1000)
        Pair.objects.filter(id__in=done).update(status=PairStatus.COMPLETE)
    counts = Counter(actions)
    return {"judged": len(pairs), **{a: counts.get(a, 0) for a in
            (routing.AUTO, routing.AUDIT, routing.NOISY_HUMAN, routing.NOISY_SMOOTH)},
            "audit_pairs": [row[0] for row, a in zip(pairs, actions, strict=True)
                            if a == routing.AUDIT]}  # fmt: skip


def policy_dir(spa: SpaRound) -> Path:
    return Path(settings.MEDIA_ROOT) / "spa" / spa.project.slug / f"round-{spa.number}"


def round_figures(spa: SpaRound) -> dict:
    """Per round: pairs auto-labeled, the judge's audited accuracy (95% interval), agreement
    with people wherever both labeled, and the effort saved: the share of judged pairs no person
    had to label, at that audited accuracy."""
    counts = spa.counts or {}
    judged = counts.get("judged", 0)
    auto = counts.get(routing.AUTO, 0) + counts.get(routing.NOISY_SMOOTH, 0)
    both = _judge_vs_people(spa)
    audits = set(counts.get("audit_pairs", []))
    return {
        "round": spa.number, "judged": judged, "auto_labeled": auto,
        "sent_to_people": counts.get(routing.NOISY_HUMAN, 0) + counts.get(routing.AUDIT, 0),
        "audit": routing.audited_accuracy([(j, h) for p, j, h in both if p in audits]),
        "agreement": routing.audited_accuracy([(j, h) for _p, j, h in both]),
        "effort_saved": auto / judged if judged else None,
    }  # fmt: skip


def _judge_vs_people(spa: SpaRound) -> list[tuple[int, str, str]]:
    """(pair, judge choice, people's decision) where the round's judge and people both spoke."""
    model = dict(Label.objects.live().filter(pair__project=spa.project, judge=spa.judge_name,
                                             source=LabelSource.MODEL)
                 .values_list("pair_id", "choice"))  # fmt: skip
    votes: dict[int, list[Vote]] = {}
    people = Label.objects.live().filter(pair_id__in=list(model)).exclude(source=LabelSource.MODEL)
    for pair_id, source, choice in people.values_list("pair_id", "source", "choice"):
        votes.setdefault(pair_id, []).append(Vote(source, choice))
    out = []
    for pair_id, v in votes.items():
        winner = decide(v, Policy()).winner
        if winner:
            out.append((pair_id, model[pair_id], winner))
    return out
