"""The export's aggregation policy, split and row shapes, on plain values."""

from __future__ import annotations

import pytest

from annotation.export.aggregate import Policy, Vote, decide
from annotation.export.rows import PairText, dedup_key, row, split_of

DEFAULT = Policy()


def votes(*choices: str, source: str = "human") -> list[Vote]:
    return [Vote(source, c) for c in choices]


def test_the_majority_of_people_decides():
    decision = decide(votes("a", "a", "b"), DEFAULT)
    assert (decision.winner, decision.n_labels, decision.source) == ("a", 3, "human")
    assert decision.agreement == pytest.approx(2 / 3)


def test_an_even_split_has_no_winner():
    assert decide(votes("a", "b"), DEFAULT).dropped == "no_majority"


def test_a_majority_below_the_minimum_agreement_is_dropped():
    decision = decide(votes("a", "a", "b", "tie"), Policy(min_agreement=0.6))
    assert (decision.winner, decision.dropped) == (None, "low_agreement")
    assert decide(votes("a", "a", "b", "tie"), Policy(min_agreement=0.5)).winner == "a"


@pytest.mark.parametrize("outcome", ["tie", "both_bad"])
def test_ties_and_both_bad_are_dropped_with_their_reason(outcome):
    assert decide(votes(outcome, outcome, "a"), DEFAULT).dropped == outcome


def test_skips_carry_no_judgement():
    assert decide(votes("skip", "skip", "b"), DEFAULT).winner == "b"
    assert decide(votes("skip"), DEFAULT).dropped == "no_judgement"


def test_a_leads_adjudication_wins_over_the_majority():
    decision = decide([*votes("a", "a", "a"), Vote("adjudicated", "b")], DEFAULT)
    assert (decision.winner, decision.source) == ("b", "adjudicated")


def test_model_labels_count_only_when_asked_and_only_without_people():
    model = [Vote("model", "b", 0.9)]
    assert decide(model, DEFAULT).dropped == "model_only"
    decision = decide(model, Policy(include_model_labels=True))
    assert (decision.winner, decision.source, decision.confidence) == ("b", "model", 0.9)
    assert decide([*model, *votes("a")], Policy(include_model_labels=True)).winner == "a"


def test_imported_labels_count_as_people():
    decision = decide(votes("b", source="imported"), DEFAULT)
    assert (decision.winner, decision.source) == ("b", "imported")


PAIR = PairText(7, "", 3, "p-3", "Say hi", "hello", "go away", "m1", "m2", "real", "dissimilar")


def test_rows_orient_chosen_and_rejected_from_the_decision():
    b_wins = decide(votes("b"), DEFAULT)
    standard = row(PAIR, b_wins, conversational=False)
    assert (standard["chosen"], standard["rejected"]) == ("go away", "hello")
    assert (standard["chosen_model"], standard["rejected_model"]) == ("m2", "m1")
    chat = row(PAIR, b_wins, conversational=True)
    assert chat["prompt"] == [{"role": "user", "content": "Say hi"}]
    assert chat["chosen"] == [{"role": "assistant", "content": "go away"}]


def test_the_split_is_by_prompt_deterministic_and_near_its_share():
    splits = [split_of(p, test_share=0.2, seed=1) for p in range(5000)]
    assert splits == [split_of(p, test_share=0.2, seed=1) for p in range(5000)]
    assert 0.18 < splits.count("test") / 5000 < 0.22
    assert splits != [split_of(p, test_share=0.2, seed=2) for p in range(5000)]
    assert {split_of(p, test_share=0.0, seed=1) for p in range(100)} == {"train"}


def test_the_dedup_key_depends_on_orientation_and_text():
    a_wins, b_wins = decide(votes("a"), DEFAULT), decide(votes("b"), DEFAULT)
    assert dedup_key(PAIR, a_wins) != dedup_key(PAIR, b_wins)
    other_pair = PairText(8, "", 3, "p-3", "Say hi", "hello", "go away", "x", "y", "r", "random")
    assert dedup_key(PAIR, a_wins) == dedup_key(other_pair, a_wins)
