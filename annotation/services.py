"""Workflows over the core records. Keyword-only `<entity>_<verb>` functions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from annotation.models import Membership, Pair, Project, Role
from annotation.queue import leases_release

PAIR_BATCH = 2000


@dataclass(frozen=True)
class PairSpec:
    """A pair to create: two responses of one prompt, in any order."""

    prompt_id: int
    response_1: int
    response_2: int
    score: float | None = None
    priority: float = 0.0


def pairs_create(
    *,
    project: Project,
    specs: Iterable[PairSpec],
    arm: str,
    strategy: str,
    rng: np.random.Generator,
    selection_run_id: int | None = None,
) -> int:
    """Bulk-create pairs; existing (arm, response couple) pairs are left alone. Returns new rows."""
    before = Pair.objects.filter(project=project, arm=arm).count()
    batch: list[Pair] = []
    for spec in specs:
        batch.append(_pair_from_spec(project, spec, arm, strategy, rng, selection_run_id))
        if len(batch) >= PAIR_BATCH:
            Pair.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Pair.objects.bulk_create(batch, ignore_conflicts=True)
    return Pair.objects.filter(project=project, arm=arm).count() - before


def _pair_from_spec(
    project: Project,
    spec: PairSpec,
    arm: str,
    strategy: str,
    rng: np.random.Generator,
    selection_run_id: int | None,
) -> Pair:
    low, high = sorted((spec.response_1, spec.response_2))
    return Pair(
        project=project,
        prompt_id=spec.prompt_id,
        response_a_id=low,
        response_b_id=high,
        arm=arm,
        strategy=strategy,
        score=spec.score,
        priority=spec.priority,
        # Left/right is randomised per pair and stored, so position bias can be measured.
        swapped=bool(rng.integers(0, 2)),
        selection_run_id=selection_run_id,
    )


class MembershipError(ValueError):
    """A change to a project's members that its rules refuse; the message is for people."""


@dataclass(frozen=True)
class MemberAdded:
    membership: Membership
    # "created" (a new account), "added" (an existing account), "reactivated", or "already"
    outcome: str


@transaction.atomic
def membership_set(*, project: Project, user, role: str) -> Membership:
    """Add the user with `role`, or change their role (a deactivated member stays deactivated)."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is not None and role != Role.LEAD:
        _keep_a_lead(membership, f"{user.username} is the project's last lead")
    membership, _ = Membership.objects.update_or_create(
        project=project, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def membership_add(
    *, project: Project, username: str, email: str = "", role: str = Role.ANNOTATOR
) -> MemberAdded:
    """Add a person by username: an unknown name gets a new account without a password (see
    annotation.accounts for its set-password link); a deactivated member is let back in."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_create(username=username, email=email)
        return MemberAdded(membership_set(project=project, user=user, role=role), "created")
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is None:
        return MemberAdded(membership_set(project=project, user=user, role=role), "added")
    if membership.is_active:
        return MemberAdded(membership, "already")
    Membership.objects.filter(id=membership.id).update(deactivated_at=None, role=role)
    membership.refresh_from_db()
    return MemberAdded(membership, "reactivated")


def account_create(*, username: str, email: str = ""):
    """An account with no usable password yet: its owner sets one through a one-time link."""
    User = get_user_model()
    taken = User.objects.filter(username__iexact=username).values_list("username", flat=True)
    if taken:
        raise MembershipError(
            f"An account called {taken[0]!r} already exists, and usernames may not differ only "
            f"in case. Add {taken[0]!r}, or choose another username."
        )
    return User.objects.create_user(username=username, email=email, password=None)


@transaction.atomic
def membership_deactivate(*, project: Project, user) -> bool:
    """Turn the person's access off: their live leases go back to the queue, their labels stay.
    False if it was already off."""
    membership = Membership.objects.select_for_update().filter(project=project, user=user).first()
    if membership is None:
        raise MembershipError(f"{user.username} is not a member of this project.")
    if not membership.is_active:
        return False
    _keep_a_lead(membership, f"{user.username} is the project's last active lead")
    leases_release(project=project, annotator=user)
    Membership.objects.filter(id=membership.id).update(deactivated_at=timezone.now())
    return True


def membership_reactivate(*, project: Project, user) -> bool:
    """Let a deactivated member back in, with the role they had. False if they were active."""
    reactivated = Membership.objects.filter(
        project=project, user=user, deactivated_at__isnull=False
    ).update(deactivated_at=None)
    return bool(reactivated)


def _keep_a_lead(membership: Membership, who: str) -> None:
    """Refuse to take the project's last active lead away. The project's active lead rows are
    locked (in id order, so two leads demoting each other at once take turns, and the second
    sees the first's change)."""
    leads = list(
        Membership.objects.select_for_update()
        .filter(project_id=membership.project_id, role=Role.LEAD, deactivated_at=None)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if leads == [membership.id]:
        raise MembershipError(f"{who}: make someone else a lead first.")
