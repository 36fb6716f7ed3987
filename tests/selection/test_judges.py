"""SPA's judges, routing and DPO step on a tiny GPT-2 built from a config (no download)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from selection.rewardmodel import sigmoid
from selection.spa.judges import logprobs as lp
from selection.spa.judges.implicit import ImplicitRewardJudge
from selection.spa.judges.judgement import judgements
from selection.spa.judges.routing import (
    AUDIT,
    AUTO,
    FAILED,
    NOISY_HUMAN,
    NOISY_SMOOTH,
    PASSED,
    UNSURE,
    WAITING,
    WITHOUT_PEOPLE,
    RoutingPolicy,
    audit_verdict,
    audited_accuracy,
    most_auto,
    route,
)  # fmt: skip
from tests.tiny_lm import speaking_only, tiny_gpt2, tiny_tokenizer


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


def by_hand(model, tokenizer, prompt: str, response: str) -> float:
    """Σ log p(response token | everything before it), one token at a time, no batching."""
    head = tokenizer(lp.prompt_text(tokenizer, prompt), add_special_tokens=False)["input_ids"]
    tail = tokenizer(response, add_special_tokens=False)["input_ids"]
    ids = torch.tensor([head + tail])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
    return float(sum(logp[len(head) + k - 1, t] for k, t in enumerate(tail)))


def test_the_implicit_reward_is_the_policy_minus_reference_log_probability(tok):
    policy, reference = tiny_gpt2(tok, seed=1), tiny_gpt2(tok, seed=2)
    judge = ImplicitRewardJudge(policy, reference, tok, beta=0.1, batch=2)
    prompts, responses = ["Say hi", "Add 2+2", "x"], ["hello there", "4", "a longer answer!"]
    r, _ = judge.scores(prompts, responses)
    r = r[np.argsort(judge._order)]  # scores come back in length order
    expected = [by_hand(policy, tok, p, y) - by_hand(reference, tok, p, y)
                for p, y in zip(prompts, responses, strict=True)]  # fmt: skip
    assert r == pytest.approx(expected, abs=1e-4)


def test_the_prompt_is_wrapped_in_the_chat_template(tok):
    assert lp.prompt_text(tok, "Hi") == "<|user|>Hi\n<|assistant|>"


def test_preference_and_dnd_margin_match_a_hand_computation():
    # r_A = 2, r_B = 0, β = 0.5: margin 1, p = σ(1). Extrapolated: r̃_A = 3, r̃_B = 1 → β m̃ = 1.
    (j,) = judgements([2.0], [0.0], [3.0], [1.0], beta=0.5)
    assert j.margin == pytest.approx(1.0)
    assert j.p_a == pytest.approx(1 / (1 + np.exp(-1)))
    assert (j.choice, j.dnd_margin) == ("a", pytest.approx(1.0))
    # When B wins, the DND margin is B's over A's.
    (k,) = judgements([0.0], [2.0], [1.0], [4.0], beta=0.5)
    assert (k.choice, k.dnd_margin, k.confidence) == ("b", pytest.approx(1.5), pytest.approx(j.p_a))


def test_extrapolated_logits_follow_the_formula(tok):
    policy, reference = tiny_gpt2(tok, seed=3), tiny_gpt2(tok, seed=4)
    lam = 0.25
    judge = ImplicitRewardJudge(policy, reference, tok, beta=1.0, lam=lam)
    _, r_tilde = judge.scores(["p"], ["ok"])
    ids, attention, scored = lp.batch_tensors([lp.encode(tok, "p", "ok")], tok.pad_token_id)
    h_pol, h_ref = (
        lp.token_logits(policy, ids, attention),
        lp.token_logits(reference, ids, attention),
    )
    expected = lp.summed((1 + lam) * h_pol - lam * h_ref, ids, scored) - lp.summed(
        h_ref, ids, scored
    )
    assert r_tilde[0] == pytest.approx(float(expected[0]), abs=1e-5)


def test_identical_policy_and_reference_have_no_preference(tok):
    model = tiny_gpt2(tok)
    judge = ImplicitRewardJudge(model, copy.deepcopy(model), tok)
    (j,) = judge.judge(["q"], ["yes"], ["no"])
    assert j.p_a == pytest.approx(0.5)


def judged(margins):
    from selection.spa.judges.judgement import Judgement

    return [Judgement(0.9, 1.0, m) for m in margins]


def test_the_lowest_dnd_margins_are_noisy_and_audits_are_sampled_from_the_rest():
    margins = list(range(100))
    actions = route(judged(margins), RoutingPolicy(0.1, 0.05, "human"), np.random.default_rng(0))
    assert [i for i, a in enumerate(actions) if a == NOISY_HUMAN] == list(range(10))
    audits = [i for i, a in enumerate(actions) if a == AUDIT]
    assert len(audits) == 5
    assert min(audits) >= 10
    assert actions.count(AUTO) == 85
    again = route(judged(margins), RoutingPolicy(0.1, 0.05, "human"), np.random.default_rng(0))
    assert again == actions
    smooth = route(judged(margins), RoutingPolicy(0.2, 0.0, "smooth"), np.random.default_rng(0))
    assert smooth.count(NOISY_SMOOTH) == 20


def test_a_judgement_below_the_minimum_confidence_goes_to_people_whatever_its_margin():
    from selection.spa.judges.judgement import Judgement

    confidences = [0.55, 0.65, 0.69, 0.7, 0.8, 0.95, 0.3, 0.05]  # p(A ≻ B); 0.3 is 0.7 for B
    rows = [Judgement(p, 0.0, 100.0 + i) for i, p in enumerate(confidences)]
    policy = RoutingPolicy(0.0, 0.0, "smooth", min_confidence=0.7)
    actions = route(rows, policy, np.random.default_rng(0))
    assert actions == [UNSURE, UNSURE, UNSURE, AUTO, AUTO, AUTO, AUTO, AUTO]


def test_raising_the_minimum_confidence_never_labels_more_pairs():
    from selection.spa.judges.judgement import Judgement

    rng = np.random.default_rng(3)
    p_a, margins = rng.uniform(size=200), rng.normal(size=200)
    rows = [Judgement(float(p), 0.0, float(m)) for p, m in zip(p_a, margins, strict=True)]
    labeled = []
    for threshold in (0.5, 0.6, 0.7, 0.8, 0.9, 0.99):
        policy = RoutingPolicy(0.1, 0.05, "human", min_confidence=threshold, min_audit=10)
        actions = route(rows, policy, np.random.default_rng(0))
        assert all(rows[i].confidence >= threshold for i, a in enumerate(actions) if a == AUTO)
        labeled.append(actions.count(AUTO))
    assert labeled == sorted(labeled, reverse=True)
    assert labeled[0] > labeled[-1]


def test_noisy_pairs_are_the_lowest_margins_among_all_judged_and_audits_come_from_auto():
    from selection.spa.judges.judgement import Judgement

    rows = [Judgement(0.6 if i % 2 else 0.9, 0.0, float(i)) for i in range(40)]
    policy = RoutingPolicy(0.1, 0.0, "human", min_confidence=0.7, min_audit=5)
    actions = route(rows, policy, np.random.default_rng(1))
    assert [i for i, a in enumerate(actions) if a == NOISY_HUMAN] == [0, 2]  # 1 and 3 unsure
    assert actions.count(UNSURE) == 20
    audits = [i for i, a in enumerate(actions) if a == AUDIT]
    assert len(audits) == 5  # the audit share asks for none; the minimum sample is 5
    assert all(rows[i].confidence >= 0.7 and i >= 4 for i in audits)


def test_most_auto_is_what_route_labels_when_every_judgement_is_confident():
    from selection.spa.judges.judgement import Judgement

    for n, policy in [(361, RoutingPolicy(0.1, 0.05, "human", 0.7, 10)),
                      (20, RoutingPolicy(0.2, 0.0, "smooth", 0.7, 10)),
                      (5, RoutingPolicy(0.1, 0.05, "human", 0.7, 10))]:  # fmt: skip
        rows = [Judgement(0.99, 0.0, float(i)) for i in range(n)]
        actions = route(rows, policy, np.random.default_rng(0))
        assert sum(a in WITHOUT_PEOPLE for a in actions) == most_auto(n, policy)
    assert most_auto(361, RoutingPolicy(0.1, 0.05, "human", 0.7, 10)) == 361 - 36 - 18


def test_an_audit_concludes_only_with_enough_answers_and_then_by_its_accuracy():
    ok = audited_accuracy([("a", "a")] * 9)
    assert audit_verdict(ok, min_answers=10, min_accuracy=0.8) == WAITING
    eight = audited_accuracy([("a", "a")] * 8 + [("a", "b")] * 2)
    assert audit_verdict(eight, min_answers=10, min_accuracy=0.8) == PASSED
    four = audited_accuracy([("a", "a")] * 4 + [("a", "b")] * 6)
    assert audit_verdict(four, min_answers=10, min_accuracy=0.8) == FAILED


def test_audited_accuracy_has_a_wilson_interval():
    result = audited_accuracy([("a", "a")] * 8 + [("a", "b")] * 2)
    assert result["accuracy"] == 0.8
    assert result["interval"] == pytest.approx([0.4902, 0.9433], abs=1e-3)
    assert audited_accuracy([])["accuracy"] is None


def test_a_dpo_step_moves_the_margin_towards_the_chosen_responses(tok, tmp_path):
    from selection.spa.judges.training import dpo_train

    model = tiny_gpt2(tok, seed=5)
    reference = copy.deepcopy(model)
    rows = [{"prompt": "Greet me", "chosen": "hello friend", "rejected": "go away now"},
            {"prompt": "Sum 1+1", "chosen": "2", "rejected": "11"}] * 2  # fmt: skip

    def margin(policy) -> float:
        judge = ImplicitRewardJudge(policy, reference, tok, beta=0.1)
        out = judge.judge([r["prompt"] for r in rows], [r["chosen"] for r in rows],
                          [r["rejected"] for r in rows])  # fmt: skip
        return float(np.mean([j.margin for j in out]))

    assert margin(model) == pytest.approx(0.0, abs=1e-6)
    out = tmp_path / "round-1"
    trained, lineage = dpo_train(
        model, tok, rows, out, epochs=5, learning_rate=5e-3, max_length=64, lineage={"round": 1}
    )
    assert margin(trained) > 0.01
    assert lineage["round"] == 1
    assert (tmp_path / "round-1" / "lineage.json").exists()
    assert sigmoid(0.0) == 0.5


def test_texts_longer_than_the_models_window_are_cut_to_fit(tok):
    model = tiny_gpt2(tok)  # 256 positions
    judge = ImplicitRewardJudge(model, copy.deepcopy(model), tok, max_tokens=4096)
    assert judge.max_tokens == 256
    long = "word " * 2000
    judged = judge.judge([long], [long], ["short"])
    assert len(judged) == 1
    assert np.isfinite(judged[0].margin)


def test_the_policy_samples_k_answers_reproducibly(tok):
    from selection.spa.judges.generation import sample_responses

    model = tiny_gpt2(tok).eval()
    first = sample_responses(model, tok, "Name a colour.", k=2, max_new_tokens=12, seed=3)
    again = sample_responses(model, tok, "Name a colour.", k=2, max_new_tokens=12, seed=3)
    other = sample_responses(model, tok, "Name a colour.", k=2, max_new_tokens=12, seed=4)
    assert len(first) == 2
    assert first == again
    assert first != other
    assert all(len(text) <= 12 for text in first)  # byte-level: at most one character a token
    # A prompt longer than the window keeps its end and still leaves room to answer.
    assert len(sample_responses(model, tok, "long " * 1000, k=2, max_new_tokens=8)) == 2


def test_the_policy_s_nul_characters_are_dropped_from_its_answers(tok):
    from selection.spa.judges.generation import sample_responses

    model = speaking_only(tiny_gpt2(tok), tok, "x\x00").eval()
    texts = sample_responses(model, tok, "Say x.", k=2, max_new_tokens=12, seed=0)
    assert all(text and set(text) == {"x"} for text in texts)
    assert sum(map(len, texts)) < 2 * 12  # some of the 24 sampled characters were NUL
