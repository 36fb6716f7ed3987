"""docs/results.md's evidence section is written from a simulation result, and only from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import evidence
from bench import simulate as simulate_bench
from selection.effort.simulate import Arm, SimParams, simulate
from tests.selection.test_effort_maths import synthetic_prompts


def arm(saved, ci, reached=40.0, labels=100.0) -> dict:
    return {"labels": labels, "labels_to_target": reached, "saved_labels": saved,
            "saved_labels_ci": ci}  # fmt: skip


def test_the_verdict_says_saves_costs_or_cannot_tell_from_the_interval():
    assert evidence.verdict("a", arm(0.4, [0.1, 0.6]), "random").startswith("saves 40% of")
    assert evidence.verdict("a", arm(-0.5, [-0.9, -0.2]), "random").startswith("needs 50% more")
    said = evidence.verdict("a", arm(0.1, [None, 0.5]), "random")
    assert said == "cannot be told from random: +10%, interval −∞ to +50%"
    missed = evidence.verdict("a", arm(None, None, reached=None, labels=644), "random")
    assert missed == "does not reach the target within its 644 labels"
    assert "baseline" in evidence.verdict("random", arm(0.0, [0.0, 0.0]), "random")


def test_accuracy_at_interpolates_from_chance_and_stops_at_the_last_point():
    a = {"sizes": [10, 20], "accuracy": [0.6, 0.7]}
    assert evidence.accuracy_at(a, 5) == pytest.approx(0.55)
    assert evidence.accuracy_at(a, 15) == pytest.approx(0.65)
    assert evidence.accuracy_at(a, 21) is None


def test_a_section_from_a_real_simulation_replaces_the_old_one_and_only_it():
    arms = (Arm("random", "random"), Arm("uncertain", "uncertain"), Arm("oracle", "oracle"))
    params = SimParams(arms=arms, seeds=2, tie_margin=0.3, pairs_per_prompt=1, boot=50)
    result = simulate(synthetic_prompts(), params) | {"prompts": 160}
    text = evidence.section([("Embeddings", result), ("Again", result)], 2)
    assert text.count("\n| ") == 2 * (2 + len(arms))  # per run: header, rule, a row per arm
    assert "**Embeddings**" in text
    assert "| oracle (sees gold; upper bound) |" in text
    assert f"Target q = {result['target']:.3f}" in text
    assert "**uncertain (active learning)**" in text
    document = f"# Title\nbefore\n{evidence.START}\nold table\n{evidence.END}\nafter\n"
    new = evidence.replace_section(document, text)
    assert "old table" not in new
    assert new.startswith("# Title\nbefore\n")
    assert new.endswith("\nafter\n")
    assert evidence.replace_section(new, text) == new
    with pytest.raises(ValueError, match="no evidence section"):
        evidence.replace_section("# no markers\n", text)


def test_a_flat_scale_and_a_length_rule_above_the_ceiling_are_said_before_the_table():
    flat = {"start": 0.747, "ceiling": 0.750, "length_accuracy": 0.76}
    said = " ".join(evidence.caveats(flat))
    assert "measure noise, not effort" in said
    assert "No arm's reward model reaches the length rule (0.760)" in said
    assert evidence.caveats({"start": 0.6, "ceiling": 0.73, "length_accuracy": 0.7}) == []


def test_the_simulation_writes_into_docs_results_which_holds_one_evidence_section():
    root = Path(__file__).resolve().parent.parent
    assert root / "docs" / "results.md" == simulate_bench.RESULTS
    results = simulate_bench.RESULTS.read_text()
    assert results.count(evidence.START) == results.count(evidence.END) == 1
    assert evidence.START not in (root / "README.md").read_text()
