"""Rounds judged before judgements were held back keep their labels: migration 0006 marks them
applied and copies their labels as their proposals, so audit figures and revert work on them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotation.models import Label
from selection.models import SpaProposal, SpaRound
from tests.factories import PairFactory, ProjectFactory

BEFORE = ("selection", "0005_fk_indexes_led_by_composites")


@pytest.mark.django_db(transaction=True)
def test_rounds_that_labeled_at_once_become_applied_rounds_with_their_labels_as_proposals():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps.get_model("selection", "SpaRound")
        project = ProjectFactory()
        auto, audit, smooth = (PairFactory(project=project) for _ in range(3))
        old.objects.create(project_id=project.id, number=1, judge="embedding", status="done",
                           counts={"judged": 3, "audit_pairs": [audit.id]})  # fmt: skip
        old.objects.create(project_id=project.id, number=2, judge="embedding", status="failed")
        for pair, smoothing in ((auto, 0.0), (audit, 0.0), (smooth, 0.1)):
            Label.objects.create(pair=pair, source="model", judge="spa-round-1", choice="a",
                                 confidence=0.9, smoothing=smoothing)  # fmt: skip
        MigrationExecutor(connection).migrate(leaves)
        done, failed = SpaRound.objects.filter(project=project).order_by("number")
        assert (done.review, failed.review) == ("applied", "")
        actions = dict(SpaProposal.objects.filter(spa_round=done).values_list("pair_id", "action"))
        assert actions == {auto.id: "auto", audit.id: "audit", smooth.id: "noisy_smooth"}
    finally:
        MigrationExecutor(connection).migrate(leaves)
