"""Answering: one label per lease, however often the form is sent, and none on a pair that was
taken from the annotator meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from annotation.models import Assignment, AssignmentState, Choice, Label, Project
from annotation.queue import statements
from annotation.queue.lease import assignment_lease
from config.transient import retry_once

SWAP = {Choice.A: Choice.B, Choice.B: Choice.A}
# Why a late answer was not kept, by _late_refusal's outcome.
REFUSALS = {
    "released": "This pair was released by a project lead; here is the next one.",
    "taken": "Your time on this pair ran out and someone else took it; here is the next one.",
}
# What a member is told when the lease they answer is not theirs (answer_submit gave None).
NOT_LEASED = "That pair is not leased to you."


@dataclass(frozen=True)
class SubmitResult:
    label: Label | None
    duplicate: bool = False
    message: str = ""


@dataclass(frozen=True)
class Answer:
    """What a person says about a pair: the fields a label takes from them."""

    choice: str
    strength: int | None = None
    rationale: str = ""
    active_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.choice not in Choice.values:
            raise ValueError(f"unknown choice {self.choice!r}")
        object.__setattr__(self, "rationale", self.rationale.strip())

    def swapped(self) -> Answer:
        """The same answer about the pair in stored order, given as the swapped pair showed."""
        return Answer(SWAP.get(self.choice, self.choice), *self.fields()[1:])

    def fields(self) -> tuple:
        return (self.choice, self.strength, self.rationale, self.active_seconds)


@retry_once
def label_submit(
    *,
    assignment_id: int,
    annotator,
    answer: Answer,
    as_shown: bool = False,
    project: Project | None = None,
    now: datetime | None = None,
) -> SubmitResult:
    """Record the answer to a lease exactly once.

    With `as_shown`, "a" and "b" mean the left and right response as the annotator saw them.
    Raises Assignment.DoesNotExist unless the lease is the annotator's (in `project`, if given).
    """
    result = _submit(assignment_id, annotator, answer, as_shown, project, now or timezone.now())
    if result is None:
        raise Assignment.DoesNotExist("no such lease for this annotator in this project")
    return result


@retry_once
def answer_submit(
    assignment_id: int, answer: Answer, *, annotator, project: Project
) -> SubmitResult | None:
    """`label_submit` of an answer as shown; None if the lease is not the annotator's in
    `project`."""
    return _submit(assignment_id, annotator, answer, True, project, timezone.now())


@retry_once
def answer_and_lease(
    assignment_id: int, answer: Answer, *, annotator, project: Project
) -> tuple[SubmitResult | None, Assignment | None]:
    """`answer_submit`, then the annotator's next lease, in one transaction: an annotator who
    answers always wants the next pair, and one commit costs less than two."""
    with transaction.atomic():
        result = _submit(assignment_id, annotator, answer, True, project, timezone.now())
        return result, assignment_lease(project=project, annotator=annotator)


def _submit(
    assignment_id: int,
    annotator,
    answer: Answer,
    as_shown: bool,
    project: Project | None,
    now: datetime,
) -> SubmitResult | None:
    """The answer saved, a duplicate's first label, or a refusal; None if the lease is not the
    annotator's. Part of the caller's transaction, if there is one (no savepoint: nothing here
    raises once it has written)."""
    with transaction.atomic(savepoint=False):
        lease = statements.lock_lease(lease_id=assignment_id, annotator_id=annotator.pk)
        if lease is None or (project is not None and lease.project_id != project.id):
            return None
        if lease.state == AssignmentState.SUBMITTED:
            label = Label.objects.filter(assignment_id=assignment_id).first()
            return SubmitResult(label, duplicate=True)
        refusal = _late_refusal(annotator.pk, lease, now)
        if refusal:
            statements.set_lease_state(lease_id=assignment_id, state=AssignmentState.EXPIRED)
            return SubmitResult(None, message=REFUSALS[refusal])
        stored = answer.swapped() if as_shown and lease.swapped else answer
        label = _save(assignment_id, annotator, lease, stored, now)
        statements.set_lease_state(lease_id=assignment_id, state=AssignmentState.SUBMITTED)
        statements.refresh_status(pair_id=lease.pair_id, overlap=lease.overlap)
        return SubmitResult(label)


def _save(
    assignment_id: int, annotator, lease: statements.LockedLease, answer: Answer, now: datetime
) -> Label:
    choice, strength, rationale, active_seconds = answer.fields()
    return Label.objects.create(
        pair_id=lease.pair_id,
        project_id=lease.project_id,
        annotator=annotator,
        assignment_id=assignment_id,
        choice=choice,
        strength=strength,
        rationale=rationale,
        active_seconds=active_seconds,
        server_seconds=(now - lease.leased_at).total_seconds(),
        supersedes_id=lease.undone_label_id,
    )


def _late_refusal(annotator_id: int, lease: statements.LockedLease, now: datetime) -> str:
    """Why a late answer cannot be kept (a key of REFUSALS), or '' if it can."""
    if lease.state == AssignmentState.ACTIVE and lease.expires_at > now:
        return ""
    if lease.state not in (AssignmentState.ACTIVE, AssignmentState.EXPIRED):
        return "released"
    taken = Assignment.objects.filter(pair_id=lease.pair_id, leased_at__gt=lease.leased_at)
    taken = taken.exclude(annotator_id=annotator_id)
    full = statements.pair_load(pair_id=lease.pair_id, now=now) >= lease.overlap
    if taken.exists() or (full and not lease.is_gold):
        return "taken"
    return ""
