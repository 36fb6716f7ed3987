"""SPA rounds (arXiv 2406.04412): train the policy on what is known, judge unlabeled pairs with
it, hold the confident judgements as proposals (applied as model labels once people's answers
on an audit sample are accurate enough: selection/spa/review.py), send the rest to people.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from django.db import transaction

from annotation.models import Label, Pair, PairStatus, Project
from selection.models import SpaProposal, SpaRound
from selection.spa.errors import SpaError
from selection.spa.judges import routing
from selection.spa.judging import JUDGES, default_judge, expanding_judges
from selection.spa.seed import human_seed

# min_confidence: a judgement is a label only at max(p, 1 − p) ≥ 0.7, i.e. the judge gives the
# other answer at most 3 in 10. min_seed: 50 decided pairs before a judge is fitted on them.
# min_audit / min_audit_accuracy: a round can be applied once people decided 10 of its audit
# pairs and the judge agrees with them on at least 80%; fewer than 10 answers say too little
# (a Wilson interval at n = 10 spans about ±0.2). "judge" is filled in by default_judge().
DEFAULTS = {
    "judge": "", "noisy_share": 0.1, "audit_share": 0.05, "low_confidence": "human",
    "min_confidence": 0.7, "min_seed": 50, "min_audit": 10, "min_audit_accuracy": 0.8,
    "arm": "", "limit": None, "beta": 0.1, "epochs": 1.0, "lora": False, "seed": 0,
    "learning_rate": 5e-6, "max_length": 512, "expand": 0, "max_new_tokens": 256,
}  # fmt: skip
# Numeric parameters: (type, lowest, highest). Bounded, so no value overflows the database's
# integers (an unbounded `limit` reached SQLite's LIMIT as a datatype mismatch).
NUMBERS = {
    "noisy_share": (float, 0.0, 0.5), "audit_share": (float, 0.0, 0.5), "beta": (float, 0.001, 10),
    "epochs": (float, 0.01, 100), "learning_rate": (float, 1e-9, 1.0), "limit": (int, 1, 10**9),
    "max_length": (int, 16, 32768), "seed": (int, 0, 2**31 - 1), "expand": (int, 0, 10**6),
    "max_new_tokens": (int, 1, 4096), "min_confidence": (float, 0.5, 1.0),
    "min_seed": (int, 1, 10**6), "min_audit": (int, 1, 10**6), "min_audit_accuracy": (float, 0, 1),
}  # fmt: skip
ARM_MAX_LENGTH = Pair._meta.get_field("arm").max_length


def spa_params(raw: dict) -> dict:
    params = DEFAULTS | {k: v for k, v in raw.items() if v is not None and k in DEFAULTS}
    params["judge"] = params["judge"] or default_judge()
    if params["judge"] not in JUDGES:
        raise SpaError(f"judge: choose one of {', '.join(JUDGES)}")
    if params["low_confidence"] not in ("human", "smooth"):
        raise SpaError("low_confidence: choose human or smooth")
    params["arm"] = _arm(params["arm"])
    for key, bounds in NUMBERS.items():
        if params[key] is not None:
            params[key] = _number(key, params[key], *bounds)
    if params["expand"] and not JUDGES[params["judge"]].expands:
        raise SpaError("expand: new responses are written by the policy; use the "
                       f"{' or '.join(expanding_judges())} judge")  # fmt: skip
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


def seed_check(project: Project, params: dict) -> int:
    """The number of pairs people decided; refused below the round's `min_seed`."""
    seed = len(human_seed(project))
    if seed < params["min_seed"]:
        raise SpaError(f"min_seed: needs at least {params['min_seed']} human-labeled pairs "
                       f"(decided A or B), the project has {seed}")  # fmt: skip
    return seed


def spa_round_preview(*, project: Project, params: dict) -> dict:
    """What starting a round would do now: the pairs it would judge and the most it could label
    without people. Raises SpaError where starting would be refused."""
    params = spa_params(params)
    seed = seed_check(project, params)
    judged = min(candidate_pairs(project, params).count(), params["limit"] or 10**9)
    if not judged and not params["expand"]:
        raise SpaError("no unlabeled open pairs to judge (select pairs first)")
    most = routing.most_auto(judged + params["expand"], routing_policy(params))
    return {"params": params, "seed": seed, "judged": judged, "expand": params["expand"],
            "most_auto": most}  # fmt: skip


def spa_round_start(*, project: Project, params: dict, number: int | None = None) -> SpaRound:
    with transaction.atomic():
        spa = spa_round_create(project=project, params=params, number=number)
        spa.send()
    return spa


def spa_round_create(*, project: Project, params: dict, number: int | None = None) -> SpaRound:
    """A queued round, refused (SpaError) with bad options or too small a human seed."""
    params = spa_params(params)
    seed_check(project, params)
    last = SpaRound.objects.filter(project=project).order_by("-number").first()
    number = number or (last.number + 1 if last else 1)
    if SpaRound.objects.filter(project=project, number=number).exists():
        raise SpaError(f"round: {number} exists already; the next round is {last.number + 1}")
    return SpaRound.objects.create(project=project, number=number, parent=_parent(project, number),
                                   judge=params.pop("judge"), params=params)  # fmt: skip


def _parent(project: Project, number: int) -> SpaRound | None:
    """The latest earlier round whose work stands: not failed, not reverted."""
    earlier = SpaRound.objects.filter(project=project, number__lt=number)
    earlier = earlier.exclude(status=SpaRound.Status.FAILED)
    return earlier.exclude(review=SpaRound.Review.REVERTED).order_by("-number").first()


def spa_round_execute(*, round_id: int) -> SpaRound:
    """Claim the round (one whose worker died, once its heartbeat stops: annotation/job.py),
    judge its pairs and hold the confident judgements for the audit."""
    return SpaRound.run(round_id, _execute, fails_on=SpaError)


def _execute(spa: SpaRound) -> None:
    try:
        _judge_and_hold(spa)
    except SpaError:
        raise
    except Exception as exc:
        # Recorded so the dashboard shows the failure; re-raised so the worker logs the trace.
        spa.finish(SpaRound.Status.FAILED, f"{type(exc).__name__}: {exc}")
        raise


def _judge_and_hold(spa: SpaRound) -> None:
    # A round queued before an option existed runs with that option's default.
    spa.params = {k: v for k, v in DEFAULTS.items() if k != "judge"} | spa.params
    pairs = candidates(spa)
    if not pairs and not spa.params["expand"]:
        raise SpaError("no unlabeled open pairs to judge (select pairs first)")
    pairs, judged = _judge(spa, pairs)
    _check_finite(judged)
    rng = np.random.default_rng(spa.params["seed"])
    actions = routing.route(judged, routing_policy(spa.params), rng)
    spa.counts = _hold(spa, pairs, judged, actions)


def _check_finite(judged) -> None:
    bad = sum(not np.isfinite(j.p_a) or not np.isfinite(j.dnd_margin) for j in judged)
    if bad:
        raise SpaError(f"judge: {bad} of {len(judged)} pairs got no finite score; nothing was "
                       "labeled (check the responses' embeddings or the model)")  # fmt: skip


def routing_policy(params: dict) -> routing.RoutingPolicy:
    p = DEFAULTS | params
    return routing.RoutingPolicy(p["noisy_share"], p["audit_share"], p["low_confidence"],
                                 p["min_confidence"], p["min_audit"])  # fmt: skip


def candidate_pairs(project: Project, params: dict):
    """Open pairs (of the round's arm, if set) that nobody — person or judge — has labeled and
    that no round holds pending its audit."""
    labeled = Label.objects.live().filter(pair__project=project).values("pair_id")
    held = SpaProposal.objects.filter(spa_round__project=project,
                                      spa_round__review=SpaRound.Review.PENDING)  # fmt: skip
    pairs = Pair.objects.filter(project=project, status=PairStatus.OPEN, is_gold=False)
    if params.get("arm"):
        pairs = pairs.filter(arm=params["arm"])
    return pairs.exclude(id__in=labeled).exclude(id__in=held.values("pair_id"))


def candidates(spa: SpaRound) -> list[tuple]:
    rows = candidate_pairs(spa.project, spa.params).order_by("id").values_list(
        "id", "prompt__text", "response_a_id", "response_b_id", "response_a__text",
        "response_b__text",
    )  # fmt: skip
    limit = spa.params.get("limit")
    return list(rows[: int(limit)] if limit else rows)


def _judge(spa: SpaRound, pairs: list[tuple]):
    return JUDGES[spa.judge].run(spa, pairs, SpaRound.reporter)


def _hold(spa: SpaRound, pairs: list[tuple], judged, actions: list[str]) -> dict:
    """Stores the judgements that would become labels as proposals; nothing is labeled and no
    pair leaves the queue until the round is applied."""
    proposals = [
        SpaProposal(spa_round=spa, pair_id=row[0], action=action, choice=judgement.choice,
                    confidence=judgement.confidence,
                    smoothing=routing.SMOOTHING if action == routing.NOISY_SMOOTH else 0.0)
        for row, judgement, action in zip(pairs, judged, actions, strict=True)
        if action in routing.LABELED
    ]  # fmt: skip
    spa.review = SpaRound.Review.PENDING
    with transaction.atomic():
        SpaProposal.objects.bulk_create(proposals, batch_size=1000)
        SpaRound.objects.filter(id=spa.id).update(review=spa.review)
    counts = Counter(actions)
    return {"judged": len(pairs), **{a: counts.get(a, 0) for a in routing.ACTIONS},
            "audit_pairs": [row[0] for row, a in zip(pairs, actions, strict=True)
                            if a == routing.AUDIT]}  # fmt: skip
