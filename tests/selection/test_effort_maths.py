"""Effort maths on hand-computed values and synthetic data where the answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from selection import rewardmodel
from selection.effort import agreement, curves, live_effort, minimums
from selection.effort.simulate import Arm, SimParams, SimPrompt, gold_to_scale, simulate
from selection.strategies import STRATEGIES, Candidate, PromptGroup, register

# Two annotators on four pairs. By hand (nominal): pairable values n = 8, n_a = 3, n_b = 3,
# n_tie = 2; observed disagreement 2/8, expected (64 − 22) / 56 = 0.75, α = 1 − 0.25/0.75 = 2/3.
TABLE = {1: ["a", "a"], 2: ["a", "b"], 3: ["b", "b"], 4: ["tie", "tie"]}


def test_krippendorff_alpha_matches_the_hand_computation():
    assert agreement.krippendorff_alpha(TABLE) == pytest.approx(2 / 3)


def test_alpha_ignores_skips_and_units_with_one_answer():
    table = {**TABLE, 5: ["a"], 6: ["skip", "b"], 7: ["skip", "skip"]}
    assert agreement.krippendorff_alpha(table) == pytest.approx(2 / 3)


def test_alpha_is_undefined_without_overlap():
    assert agreement.krippendorff_alpha({1: ["a"], 2: ["b"]}) is None


def test_raw_agreement_counts_agreeing_answer_pairs():
    # Ordered answer pairs: 2 per unit, 6 of 8 equal.
    assert agreement.raw_agreement(TABLE) == pytest.approx(0.75)
    # Three answers a, a, b: 6 ordered pairs, 2 agree.
    assert agreement.raw_agreement({1: ["a", "a", "b"]}) == pytest.approx(2 / 6)


def test_uninformative_rate_counts_ties_both_bad_and_skips():
    assert agreement.uninformative_rate(["a", "tie", "both_bad", "skip", "b"]) == 0.6
    assert agreement.uninformative_rate([]) is None


def test_position_bias_reads_the_shown_order():
    # (a, not swapped) → left; (b, swapped) → left; (a, swapped) → right; ties do not count.
    rows = [("a", False), ("b", True), ("a", True), ("tie", False)]
    assert agreement.position_bias(rows) == pytest.approx(2 / 3)


def test_gold_agreement_leaves_out_skips_and_pairs_without_gold():
    rows = [("a", "a"), ("b", "a"), ("skip", "a"), ("a", "")]
    assert agreement.gold_agreement(rows) == 0.5


def test_majority_agreement_compares_with_the_others_majority():
    units = {
        1: [("x", "a"), ("y", "a"), ("z", "b")],
        2: [("x", "b"), ("y", "a")],
        3: [("x", "a"), ("y", "a")],
    }
    result = agreement.majority_agreement(units)
    # x: unit 1's others split a/b (no majority, left out); unit 2 misses, unit 3 hits.
    assert result["x"] == 0.5
    assert result["y"] == 0.5
    # z: the others said a, a.
    assert result["z"] == 0.0


def test_reward_model_learns_a_linear_preference():
    rng = np.random.default_rng(0)
    true_w = rng.normal(size=8)
    a, b = rng.normal(size=(400, 8)), rng.normal(size=(400, 8))
    a_better = (a - b) @ true_w > 0
    train = np.where(a_better[:, None], a - b, b - a)
    w = rewardmodel.fit(train[:300], l2=0.1)
    assert rewardmodel.correct(w, (a - b)[300:], a_better[300:]).mean() > 0.9


def test_an_untrained_model_gets_half_credit():
    w = rewardmodel.fit(np.zeros((0, 3)))
    assert rewardmodel.correct(w, np.ones((4, 3)), np.array([True] * 4)).tolist() == [0.5] * 4


def test_crossing_interpolates_between_grid_points():
    sizes, accuracy = np.array([10, 20, 40]), np.array([0.5, 0.7, 0.9])
    assert curves.crossing(sizes, accuracy, 0.8) == pytest.approx(30.0)
    assert np.isnan(curves.crossing(sizes, accuracy, 0.95))


def test_a_curve_starts_at_chance_with_no_labels():
    # Above the target at its first point: interpolated from (0 labels, 0.5), not stuck at 10.
    sizes = np.array([10, 20])
    assert curves.crossing(sizes, np.array([0.7, 0.8]), 0.6) == pytest.approx(5.0)
    assert curves.crossing(sizes, np.array([0.9, 0.8]), 0.7) == pytest.approx(5.0)
    # A target no better than chance needs no labels.
    assert curves.crossing(sizes, np.array([0.7, 0.8]), 0.4) == 0.0


def test_size_grid_is_increasing_and_ends_at_the_total():
    grid = curves.size_grid(500)
    assert grid == sorted(set(grid))
    assert (grid[0], grid[-1]) == (10, 500)
    assert curves.size_grid(0) == []


def test_gold_in_alpacaeval_convention_is_compared_in_log_odds():
    values = gold_to_scale(np.array([1.5, 1.0, 2.0]))
    assert values[0] == pytest.approx(0.0)
    assert values[1] == pytest.approx(np.log(1e-9 / (1 - 1e-9)))
    assert values[2] > 20
    assert gold_to_scale(np.array([3.0, -1.0])).tolist() == [3.0, -1.0]


def synthetic_prompts(count: int = 160, k: int = 8, dim: int = 6, seed: int = 1):
    """Gold is linear in the embeddings, so the reward model can learn it."""
    rng = np.random.default_rng(seed)
    true_w = rng.normal(size=dim)
    prompts, next_id = [], 0
    for p in range(count):
        e = rng.normal(size=(k, dim))
        e /= np.linalg.norm(e, axis=1, keepdims=True)
        ids = np.arange(next_id, next_id + k)
        next_id += k
        group = PromptGroup(p, ids, embeddings=e)
        prompts.append(SimPrompt(group, gold=3 * e @ true_w, words=np.full(k, 40.0)))
    return prompts


@pytest.fixture
def widest_gold_pair():
    """A test-only strategy that sees gold and picks the pair with the largest difference:
    its simulated labels are (almost) never wrong or tied."""
    gold_of: dict[int, float] = {}

    def pick(group, *, pairs_per_prompt=1, rng):
        g = np.array([gold_of[int(r)] for r in group.response_ids])
        i, j = int(g.argmin()), int(g.argmax())
        return [Candidate(min(i, j), max(i, j))]

    register("test_widest_gold")(pick)
    yield gold_of
    del STRATEGIES["test_widest_gold"]


def params(*arms: Arm, **overrides) -> SimParams:
    values = dict(arms=arms, seeds=3, noise=1.0, tie_margin=0.3, pairs_per_prompt=1, boot=200)
    return SimParams(**(values | overrides))


def test_a_strategy_that_picks_noise_free_pairs_saves_effort(widest_gold_pair):
    prompts = synthetic_prompts()
    for p in prompts:
        widest_gold_pair.update(zip(p.group.response_ids.tolist(), p.gold.tolist(), strict=True))
    result = simulate(prompts, params(Arm("random", "random"), Arm("widest", "test_widest_gold")))
    widest = result["arms"]["widest"]
    assert widest["label_error"] < result["arms"]["random"]["label_error"]
    assert widest["uninformative_rate"] == 0
    assert widest["saved_labels"] > 0
    assert widest["saved_labels_ci"][0] > 0


def test_identical_strategies_show_no_saving_within_the_interval():
    result = simulate(synthetic_prompts(), params(Arm("random", "random"), Arm("again", "random")))
    again = result["arms"]["again"]
    low, high = again["saved_labels_ci"]
    assert (-np.inf if low is None else low) <= 0 <= high
    assert abs(again["saved_labels"]) < 0.35
    assert result["arms"]["random"]["saved_labels"] == 0


def test_the_simulation_is_deterministic_per_seed():
    arms = (Arm("random", "random"), Arm("dissimilar", "dissimilar"))
    first = simulate(synthetic_prompts(), params(*arms, boot=20))
    second = simulate(synthetic_prompts(), params(*arms, boot=20))
    assert first == second
    third = simulate(synthetic_prompts(seed=2), params(*arms, boot=20))
    assert third != first


def test_evaluation_prompts_are_never_selected_from():
    from selection.effort.simulate import split_prompts

    prompts = synthetic_prompts(count=50)
    train, held = split_prompts(prompts, 0.2, seed=4)
    assert len(held) == 10
    assert not {p.group.prompt_id for p in train} & {p.group.prompt_id for p in held}


# Real labels: a preference linear in unit-length "embeddings", as with sentence embeddings.
DIM = 32
TRUE_W = np.random.default_rng(99).normal(size=DIM)


def unit_vectors(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def labeled_arms(labels: int, eval_pairs: int, seed: int = 0) -> dict[str, curves.ArmRuns]:
    """Two arms of the same strategy (annotators answer with Bradley–Terry noise), scored on
    the same evaluation pairs."""
    rng = np.random.default_rng(seed)
    ea, eb = unit_vectors(rng, eval_pairs), unit_vectors(rng, eval_pairs)
    eval_diffs, truth = ea - eb, (ea - eb) @ TRUE_W > 0
    arms = {}
    for name in ("random", "other"):
        a, b = unit_vectors(rng, labels), unit_vectors(rng, labels)
        a_wins = rng.random(labels) < rewardmodel.sigmoid(4 * (a - b) @ TRUE_W)
        diffs = np.where(a_wins[:, None], a - b, b - a)
        arms[name] = curves.arm_from_labels(
            diffs, np.ones(labels, bool), np.full(labels, 5.0), eval_diffs, truth, l2=10.0
        )
    return arms


def saving_of_other(arms, target: float) -> tuple[float, list]:
    other = curves.effort_table(arms, baseline="random", target=target, boot=300)["other"]
    return other["saved_labels"], other["saved_labels_ci"]


def test_a_small_sample_gives_a_wider_interval_than_a_large_one():
    small, small_ci = saving_of_other(labeled_arms(labels=60, eval_pairs=30), target=0.8)
    large, large_ci = saving_of_other(labeled_arms(labels=1000, eval_pairs=600), target=0.8)
    assert np.isfinite([small, large]).all()
    assert small_ci[0] <= small <= small_ci[1]
    assert large_ci[0] <= large <= large_ci[1]
    assert np.isfinite(large_ci).all()
    assert small_ci[1] - small_ci[0] > large_ci[1] - large_ci[0]


def test_two_labels_and_eleven_evaluation_pairs_leave_the_saving_open():
    # The case a lead saw as "0.80 [0.80, 0.83]": both curves at their one grid point.
    arms = labeled_arms(labels=2, eval_pairs=11, seed=3)
    saved, ci = saving_of_other(arms, target=curves.target_accuracy(arms))
    assert ci[0] == -np.inf
    assert ci[1] - ci[0] > 1
    assert np.isnan(saved) or ci[0] <= saved <= ci[1]


@pytest.mark.parametrize("seed", [1, 3])
def test_two_arms_of_one_strategy_are_not_told_apart_by_many_evaluation_pairs(seed):
    # Their label sequences differ by chance, and 3000 evaluation pairs measure each curve
    # precisely: only resampling the labels shows that this difference is chance.
    saved, ci = saving_of_other(labeled_arms(labels=150, eval_pairs=3000, seed=seed), 0.75)
    assert abs(saved) > 0.5
    assert ci[0] <= 0 <= ci[1]


def test_the_bootstrap_redraws_an_arms_labels_not_only_the_evaluation_pairs():
    arm = labeled_arms(labels=200, eval_pairs=100)["other"]
    fixed_eval_pairs = np.ones((50, 100))
    replicates = curves.resampled_labels_accuracy(
        arm.training, arm.sizes, fixed_eval_pairs, np.random.default_rng(0)
    )
    assert replicates.shape == (50, len(arm.sizes))
    assert replicates.std(axis=0).max() > 0.01


def test_a_weighted_refit_matches_fitting_the_resampled_rows():
    rng = np.random.default_rng(5)
    x = unit_vectors(rng, 80) - unit_vectors(rng, 80)
    w0 = rewardmodel.fit(x, l2=10.0)
    counts = rng.poisson(1.0, size=(4, 80)).astype(float)
    refits = rewardmodel.refit_weighted(x, counts, w0, l2=10.0, steps=curves.REFIT_STEPS)
    for row, w in zip(counts, refits, strict=True):
        exact = rewardmodel.fit(np.repeat(x, row.astype(int), axis=0), l2=10.0)
        assert np.abs(w - exact).max() < 0.01 * np.abs(exact - w0).max()


def test_a_live_summary_from_two_labels_says_how_far_it_is_from_enough():
    arms = labeled_arms(labels=2, eval_pairs=11)
    result = live_effort.summary(arms, "random", None, boot=50)
    assert result["eval_pairs"] == 11
    other = result["arms"]["other"]
    assert other["short"] == [
        "not enough labels yet: 2 of 20",
        "evaluation pairs: 11 of 30",
        "random baseline (random): not enough labels yet: 2 of 20",
    ]
    assert other["saved_labels"] is None
    assert other["saved_labels_ci"] is None
    assert other["labels_to_target"] is None
    assert result["arms"]["random"]["short"][0] == "not enough labels yet: 2 of 20"


def figures(labels: float, saved=0.3) -> dict:
    return {"labels": labels, "labels_to_target": 40.0, "seconds_to_target": 200.0,
            "saved_labels": saved, "saved_labels_ci": [-0.2, 0.6], "saved_seconds": saved,
            "saved_seconds_ci": [-0.1, 0.5], "reached_share": 1.0, "sizes": [10],
            "accuracy": [0.7]}  # fmt: skip


def test_enough_labels_and_evaluation_pairs_keep_every_figure():
    result = {"baseline": "r", "eval_pairs": 30, "arms": {"r": figures(20, 0), "d": figures(25)}}
    checked = minimums.apply(result)
    assert checked["arms"]["d"] == figures(25) | {"short": []}
    assert checked["minimums"] == {"labels": 20, "eval_pairs": 30}


def test_an_arm_below_the_minimum_keeps_its_curve_but_loses_its_figures():
    result = {"baseline": "r", "eval_pairs": 40, "arms": {"r": figures(50, 0), "d": figures(19)}}
    d = minimums.apply(result)["arms"]["d"]
    assert d["short"] == ["not enough labels yet: 19 of 20"]
    blank = ("labels_to_target", "saved_labels", "saved_labels_ci", "saved_seconds_ci")
    assert all(d[key] is None for key in blank)
    assert (d["sizes"], d["accuracy"]) == ([10], [0.7])


def test_a_short_baseline_or_too_few_evaluation_pairs_blank_every_saving():
    result = {"baseline": "r", "eval_pairs": 40, "arms": {"r": figures(5, 0), "d": figures(90)}}
    d = minimums.apply(result)["arms"]["d"]
    assert d["short"] == ["random baseline (r): not enough labels yet: 5 of 20"]
    assert d["saved_labels"] is None
    assert d["labels_to_target"] == 40.0  # the arm's own figure stands
    result = {"baseline": "r", "eval_pairs": 29, "arms": {"r": figures(50, 0), "d": figures(90)}}
    d = minimums.apply(result)["arms"]["d"]
    assert d["short"] == ["evaluation pairs: 29 of 30"]
    assert d["saved_labels"] is d["labels_to_target"] is None


def test_applying_the_minimums_twice_changes_nothing():
    result = {"baseline": "r", "eval_pairs": 11, "arms": {"r": figures(2, 0), "d": figures(90)}}
    once = minimums.apply(result)
    assert minimums.apply(once) == once
