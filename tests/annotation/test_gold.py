from __future__ import annotations

import math

import pytest
from django.core.management import call_command

from annotation.gold import gold_choice, gold_pairs_create, gold_value
from annotation.models import Pair
from annotation.oversight import annotator_table
from annotation.queue import Answer, assignment_lease, label_submit
from tests.factories import PromptFactory, ResponseFactory


def test_alpacaeval_gold_is_compared_in_log_odds():
    assert gold_value(1.5, "alpacaeval") == pytest.approx(0.0)
    assert gold_value(1.9, "alpacaeval") == pytest.approx(math.log(9))
    assert gold_value(1.0, "alpacaeval") == pytest.approx(math.log(1e-9 / (1 - 1e-9)))


def test_close_scores_have_no_known_answer():
    assert gold_choice(1.9, 1.1, margin=1.0, scale="alpacaeval") == "a"
    assert gold_choice(1.1, 1.9, margin=1.0, scale="alpacaeval") == "b"
    assert gold_choice(1.5, 1.55, margin=1.0, scale="alpacaeval") is None


@pytest.mark.django_db
def test_gold_pairs_come_from_gold_scores_and_are_scored_per_annotator(project, annotator):
    for _ in range(4):
        prompt = PromptFactory(project=project)
        ResponseFactory(prompt=prompt, gold_score=1.95)
        ResponseFactory(prompt=prompt, gold_score=1.0001)
        ResponseFactory(prompt=prompt, gold_score=1.94)
    assert gold_pairs_create(project=project, count=3, margin=2.0, scale="alpacaeval", seed=1) == 3
    gold = list(Pair.objects.filter(is_gold=True))
    assert len(gold) == 3
    for pair in gold:
        a, b = pair.response_a.gold_score, pair.response_b.gold_score
        assert pair.gold_choice == ("a" if a > b else "b")
    project.gold_rate = 1.0
    project.save()
    for answer in ("right", "wrong", "right"):
        lease = assignment_lease(project=project, annotator=annotator)
        known = lease.pair.gold_choice
        choice = known if answer == "right" else {"a": "b", "b": "a"}[known]
        label_submit(assignment_id=lease.id, annotator=annotator, answer=Answer(choice))
    row = annotator_table(project)[0]
    assert row["gold_answered"] == 3
    assert row["gold_accuracy"] == pytest.approx(2 / 3)


@pytest.mark.django_db
def test_the_command_sets_the_rate_and_refuses_nonsense(project, capsys):
    prompt = PromptFactory(project=project)
    ResponseFactory(prompt=prompt, gold_score=5)
    ResponseFactory(prompt=prompt, gold_score=1)
    call_command("make_gold_pairs", "--project", "demo", "--count", "5", "--rate", "0.2")
    assert "1 gold pairs created; gold rate 20%" in capsys.readouterr().out
    with pytest.raises(Exception, match="--rate must be between 0 and 1"):
        call_command("make_gold_pairs", "--project", "demo", "--rate", "3")
