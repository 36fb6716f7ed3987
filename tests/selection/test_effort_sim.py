"""The simulation's arms: queue order, the oracle, active learning, length, target share."""

from __future__ import annotations

import numpy as np
import pytest

from selection.effort.sim_picks import active_picks, static_picks
from selection.effort.simulate import (
    Arm,
    SimParams,
    SimPrompt,
    eval_pairs,
    simulate,
    with_features,
)
from selection.strategies import PromptGroup
from tests.selection.test_effort_maths import synthetic_prompts


def params(*arms: Arm, **overrides) -> SimParams:
    values = dict(arms=arms, seeds=3, noise=1.0, tie_margin=0.3, pairs_per_prompt=1, boot=100)
    return SimParams(**(values | overrides))


def test_pairs_come_in_the_queue_s_random_order_not_prompt_by_prompt():
    train = synthetic_prompts(count=40)
    picks = static_picks(train, "random", 2, {}, np.random.default_rng(0))
    assert len(picks) == 80
    first_half = [p.group.prompt_id for p, _i, _j in picks[:40]]
    # Prompt by prompt (every first pair before any second) would give 40 distinct prompts.
    assert len(set(first_half)) < 40
    positions = [k for k, (p, _i, _j) in enumerate(picks) if p.group.prompt_id == 0]
    assert len(positions) == 2


def test_the_oracle_takes_each_prompt_s_widest_gold_gap():
    train = synthetic_prompts(count=5)
    for p, i, j in static_picks(train, "oracle", 1, {}, np.random.default_rng(0)):
        assert {i, j} == {int(p.gold.argmin()), int(p.gold.argmax())}


def test_the_oracle_arm_is_the_ceiling_the_target_is_measured_against():
    arms = (Arm("random", "random"), Arm("oracle", "oracle"))
    result = simulate(synthetic_prompts(), params(*arms, target_share=0.5))
    assert result["ceiling"] == pytest.approx(result["arms"]["oracle"]["accuracy"][-1])
    assert result["start"] == pytest.approx(result["arms"]["random"]["accuracy"][0])
    assert result["target"] == pytest.approx((result["start"] + result["ceiling"]) / 2)
    oracle, random = result["arms"]["oracle"], result["arms"]["random"]
    assert oracle["label_error"] < random["label_error"]
    assert oracle["labels_to_target"] < random["labels_to_target"]


def test_active_learning_refits_and_then_asks_what_the_model_is_unsure_of():
    train = synthetic_prompts(count=120)
    answered = []

    def answer(pick):
        p, i, j = pick
        answered.append(pick)
        winner, loser = (i, j) if p.gold[i] > p.gold[j] else (j, i)
        return p.x[winner] - p.x[loser]

    picks = active_picks(train, 240, 60, answer, l2=1.0, rng=np.random.default_rng(1), options={})
    assert answered == picks
    assert len(picks) == 240
    keys = [(p.group.prompt_id, i, j) for p, i, j in picks]
    assert len(set(keys)) == len(keys)  # never the same pair twice
    for start in range(0, 240, 60):  # one pair per prompt per batch
        assert len({k[0] for k in keys[start : start + 60]}) == 60
    gap = [abs(p.gold[i] - p.gold[j]) for p, i, j in picks]
    # The first batch is random; later ones are pairs the fitted model finds close.
    assert np.mean(gap[60:]) < 0.7 * np.mean(gap[:60])


def test_the_uncertain_arm_runs_in_a_simulation_with_as_many_labels_as_random():
    arms = (Arm("random", "random"), Arm("uncertain", "uncertain"))
    result = simulate(synthetic_prompts(), params(*arms, uncertain_batch=20))
    assert result["arms"]["uncertain"]["labels"] == result["arms"]["random"]["labels"]
    assert result["arms"]["uncertain"]["accuracy"][-1] > 0.8


def _prompt(words: list[float], gold: list[float]) -> SimPrompt:
    k = len(words)
    group = PromptGroup(1, np.arange(k), embeddings=np.eye(k))
    return SimPrompt(group, gold=np.array(gold), words=np.array(words))


def test_the_length_rule_is_scored_on_the_evaluation_pairs():
    longer_wins = _prompt([10, 20, 30], [0.0, 1.0, 2.0])
    assert eval_pairs([longer_wins], 3, 0.5, seed=0).length_correct.tolist() == [1.0, 1.0, 1.0]
    shorter_wins = _prompt([10, 20, 20], [2.0, 1.0, 0.0])
    got = sorted(eval_pairs([shorter_wins], 3, 0.5, seed=0).length_correct.tolist())
    assert got == [0.0, 0.0, 0.5]  # equal lengths: the rule cannot tell


def test_length_features_let_the_reward_model_learn_a_length_preference():
    rng = np.random.default_rng(3)
    prompts = []
    for p in range(160):
        words = rng.integers(5, 400, size=6).astype(float)
        e = rng.normal(size=(6, 8))
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        group = PromptGroup(p, np.arange(p * 6, p * 6 + 6), embeddings=e)
        prompts.append(SimPrompt(group, gold=2 * np.log1p(words), words=words))
    plain = simulate(prompts, params(Arm("random", "random"), boot=0))
    longer = simulate(with_features(prompts, "embedding+length"),
                      params(Arm("random", "random"), boot=0))  # fmt: skip
    assert with_features(prompts, "embedding+length")[0].x.shape == (6, 9)
    assert longer["arms"]["random"]["accuracy"][-1] > plain["arms"]["random"]["accuracy"][-1] + 0.2
    assert longer["length_accuracy"] > 0.95
    with pytest.raises(ValueError, match="features"):
        with_features(prompts, "words")
