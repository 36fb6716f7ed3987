"""The SPA judge simulation: share and accuracy per confidence threshold, before a round."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from selection.effort.simulate import SimPrompt
from selection.effort.spa_sim import spa_simulation
from selection.models import EffortRun
from selection.strategies import PromptGroup
from tests.selection.effort_helpers import gold_project


def prompts_with_a_learnable_judge(count=120, k=6, dim=6, seed=2) -> list[SimPrompt]:
    """Gold is a strong linear function of the embeddings: a fitted judge gets confident."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=dim) * 6
    out = []
    for p in range(count):
        e = rng.normal(size=(k, dim))
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        words = rng.integers(10, 300, size=k).astype(float)
        out.append(SimPrompt(PromptGroup(p, np.arange(p * k, p * k + k), embeddings=e),
                             gold=e @ w, words=words))  # fmt: skip
    return out


def test_a_stricter_threshold_labels_fewer_pairs_more_accurately():
    result = spa_simulation(prompts_with_a_learnable_judge(), seed_labels=200, seeds=3)
    rows = {row["threshold"]: row for row in result["thresholds"]}
    shares = [row["share"]["mean"] for row in result["thresholds"]]
    assert shares == sorted(shares, reverse=True)
    assert rows[0.5]["share"]["mean"] == 1.0
    assert rows[0.5]["accuracy"]["mean"] > 0.7
    assert rows[0.8]["accuracy"]["mean"] >= rows[0.5]["accuracy"]["mean"]
    assert 0 < rows[0.8]["share"]["mean"] < rows[0.6]["share"]["mean"] < 1
    assert result["people_accuracy"]["mean"] > 0.5
    # Lengths are random here: the length rule is a coin flip.
    assert abs(result["length_accuracy"]["mean"] - 0.5) < 0.1


def test_a_threshold_nothing_reaches_has_no_accuracy_rather_than_a_made_up_one():
    result = spa_simulation(prompts_with_a_learnable_judge(), seed_labels=2, seeds=2,
                            thresholds=(0.5, 0.999999))  # fmt: skip
    last = result["thresholds"][-1]
    assert last["share"]["mean"] == 0
    assert last["accuracy"] is None


pytestmark = pytest.mark.django_db


def test_the_command_prints_the_table_and_the_dashboard_and_confirm_page_show_it(
    project, tmp_path, capsys, client, lead
):
    gold_project(project, tmp_path)
    call_command("simulate_spa", "--project", "demo", "--seeds", "2", "--seed-labels", "20")
    printed = capsys.readouterr().out
    assert "embedding judge fitted on 20 simulated human labels" in printed
    assert "the length rule (longer wins)" in printed
    run = EffortRun.objects.get(kind="spa")
    assert len(run.result["thresholds"]) == 8
    client.force_login(lead)
    page = client.get(reverse("effort", args=["demo"])).content.decode()
    assert 'id="spa-thresholds"' in page
    assert "fitted on 20 simulated human labels" in page


def test_bad_thresholds_are_refused_with_the_field_named(project):
    with pytest.raises(CommandError, match="thresholds: each must be between 0.5 and 1"):
        call_command("simulate_spa", "--project", "demo", "--thresholds", "0.2")
    assert not EffortRun.objects.exists()
