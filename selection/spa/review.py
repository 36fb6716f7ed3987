"""What becomes of a finished SPA round's judgements. They are held as proposals until people
have decided enough of the round's audit pairs and agree with the judge often enough; a lead
then applies them (model labels; the auto-labeled pairs leave the queue), or reverts the round
(its model labels superseded, its pairs back in the queue)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotation.export.aggregate import Policy, Vote, decide
from annotation.models import Label, LabelSource
from annotation.queue import ModelAnswer, model_labels_apply, model_labels_revert
from selection.models import SpaRound
from selection.spa.errors import SpaError
from selection.spa.judges import routing
from selection.spa.services import DEFAULTS

Review = SpaRound.Review


def round_figures(spa: SpaRound) -> dict:
    """Per round: pairs judged, held or labeled without people, sent to people; the judge's
    audited accuracy (95% interval) and its verdict; agreement with people wherever both spoke;
    and the effort saved (the share of judged pairs no person had to label), only for an
    applied round whose audit passes."""
    counts, params = spa.counts or {}, DEFAULTS | spa.params
    judged = counts.get("judged", 0)
    auto = sum(counts.get(a, 0) for a in routing.WITHOUT_PEOPLE)
    people = (routing.NOISY_HUMAN, routing.UNSURE, routing.AUDIT)
    both = _judge_vs_people(spa)
    audits = set(counts.get("audit_pairs", []))
    audit = routing.audited_accuracy([(j, h) for p, j, h in both if p in audits])
    verdict = routing.audit_verdict(audit, min_answers=params["min_audit"],
                                    min_accuracy=params["min_audit_accuracy"])  # fmt: skip
    labeled = counts.get("applied", auto)
    saved = spa.review == Review.APPLIED and verdict == routing.PASSED and judged
    return {
        "round": spa.number, "judged": judged, "auto_labeled": auto,
        "auto_share": auto / judged if judged else None,
        "sent_to_people": sum(counts.get(a, 0) for a in people),
        "audit": audit, "audit_needed": params["min_audit"],
        "min_audit_accuracy": params["min_audit_accuracy"], "verdict": verdict,
        "state": round_state(spa, verdict),
        "agreement": routing.audited_accuracy([(j, h) for _p, j, h in both]),
        "effort_saved": labeled / judged if saved else None,
    }  # fmt: skip


def round_state(spa: SpaRound, verdict: str) -> str:
    """What a lead reads: queued, running, failed, pending audit, audit failed, ready to apply,
    applied (possibly with an audit that fails since), reverted."""
    if spa.status != SpaRound.Status.DONE:
        return {"pending": "queued"}.get(spa.status, spa.status)
    if spa.review == Review.PENDING:
        return {routing.PASSED: "ready to apply", routing.FAILED: "audit failed"}.get(
            verdict, "pending audit"
        )
    if spa.review == Review.APPLIED and verdict == routing.FAILED:
        return "applied, audit failed"
    return spa.get_review_display().lower()


def _judge_vs_people(spa: SpaRound) -> list[tuple[int, str, str]]:
    """(pair, judge choice, people's decision) where the round's judge and people both spoke."""
    model = dict(spa.proposals.values_list("pair_id", "choice"))
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


def spa_round_apply(*, spa: SpaRound, now: datetime | None = None) -> SpaRound:
    """Writes a round's proposals as model labels once its audit passes. Pairs a person answered
    or holds a lease on meanwhile stay with people."""
    figures = round_figures(spa)
    if spa.review != Review.PENDING or spa.status != SpaRound.Status.DONE:
        raise SpaError(f"round {spa.number} is {figures['state']}: only a round pending audit "
                       "can be applied")  # fmt: skip
    if figures["verdict"] != routing.PASSED:
        raise SpaError(f"round {spa.number} cannot be applied: {audit_text(figures)}")
    now = now or timezone.now()
    with transaction.atomic():
        claimed = SpaRound.objects.filter(id=spa.id, review=Review.PENDING)
        if not claimed.update(review=Review.APPLIED, reviewed_at=now):
            raise SpaError(f"round {spa.number} was applied or reverted meanwhile")
        spa.counts = (spa.counts or {}) | _apply(spa, now)
        spa.review, spa.reviewed_at = Review.APPLIED, now
        spa.save(update_fields=["counts"])
    return spa


def _apply(spa: SpaRound, now: datetime) -> dict:
    answers = [
        ModelAnswer(pair_id=p.pair_id, choice=p.choice, confidence=p.confidence,
                    smoothing=p.smoothing, completes=p.action in routing.WITHOUT_PEOPLE,
                    audit=p.action == routing.AUDIT)
        for p in spa.proposals.order_by("pair_id")
    ]  # fmt: skip
    return model_labels_apply(project=spa.project, judge=spa.judge_name, answers=answers, now=now)


def spa_round_revert(*, spa: SpaRound, now: datetime | None = None) -> dict:
    """Supersedes the round's model labels and returns its pairs to the queue (those people
    have not completed or a lead adjudicated). Refused while a later round stands: rounds are
    reverted newest first, since a later round learned from this one's labels or policy."""
    if spa.review not in (Review.PENDING, Review.APPLIED):
        raise SpaError(f"round {spa.number} is {round_state(spa, routing.WAITING)}: only a "
                       "round pending audit or applied can be reverted")  # fmt: skip
    later = _standing_after(spa)
    if later is not None:
        raise SpaError(f"round {later.number} came after round {spa.number}: revert round "
                       f"{later.number} first")  # fmt: skip
    now = now or timezone.now()
    with transaction.atomic():
        claimed = SpaRound.objects.filter(id=spa.id, review__in=[Review.PENDING, Review.APPLIED])
        if not claimed.update(review=Review.REVERTED, reviewed_at=now):
            raise SpaError(f"round {spa.number} was applied or reverted meanwhile")
        reverted = model_labels_revert(project=spa.project, judge=spa.judge_name, now=now)
    spa.review, spa.reviewed_at = Review.REVERTED, now
    return reverted


def _standing_after(spa: SpaRound) -> SpaRound | None:
    later = SpaRound.objects.filter(project=spa.project, number__gt=spa.number)
    standing = Q(review__in=[Review.PENDING, Review.APPLIED]) | Q(
        status__in=[SpaRound.Status.PENDING, SpaRound.Status.RUNNING]
    )
    return later.filter(standing).order_by("-number").first()


def audit_text(figures: dict) -> str:
    """The audit in words, e.g. "audit accuracy 0.40 on 12 pairs is below 0.80"."""
    audit, needed = figures["audit"], figures["audit_needed"]
    if figures["verdict"] == routing.WAITING:
        return f"people have decided {audit['n']} of the {needed} audit pairs needed"
    word = "reaches" if figures["verdict"] == routing.PASSED else "is below"
    return (f"audit accuracy {audit['accuracy']:.2f} on {audit['n']} pairs {word} "
            f"{figures['min_audit_accuracy']:.2f}")  # fmt: skip
