"""Effort runs on the database: the simulate_effort command, the task, live learning curves."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from annotation.models import Label, Pair
from selection.effort.services import EffortError, effort_run_start, simulation_params
from selection.models import EffortRun
from tests.factories import PairFactory, UserFactory
from tests.selection.effort_helpers import gold_pairs, gold_project

pytestmark = pytest.mark.django_db
FAST = ["--seeds", "2", "--boot", "20"]


def test_simulate_effort_reports_every_strategy_and_writes_json(project, tmp_path, capsys):
    gold_project(project, tmp_path)
    out = tmp_path / "effort.json"
    strategies = (
        "random,dissimilar,similar,centroid,kinship,kinship_bucketed,quality_top2,uncertain,oracle"
    )
    call_command("simulate_effort", "--project", "demo", "--strategies", strategies,
                 "--json", str(out), *FAST)  # fmt: skip
    result = json.loads(out.read_text())
    assert set(result["arms"]) == set(strategies.split(","))
    assert result["prompts"] == 24
    arms = result["arms"]
    assert result["ceiling"] == arms["oracle"]["accuracy"][-1]
    start, ceiling = arms["random"]["accuracy"][0], result["ceiling"]
    assert result["target"] == pytest.approx(start + 0.8 * (ceiling - start))
    assert 0 <= result["length_accuracy"] <= 1
    for arm in arms.values():
        assert len(arm["sizes"]) == len(arm["accuracy"])
        assert 0 <= arm["uninformative_rate"] <= 1
        reached = max(arm["accuracy"]) >= result["target"]
        assert (arm["labels_to_target"] is not None) == reached
        if reached:
            assert arm["labels_to_target"] <= arm["sizes"][-1]
    printed = capsys.readouterr().out
    assert "kinship_bucketed" in printed
    assert "N(q)" in printed
    assert "the length rule (longer response wins) scores" in printed
    run = EffortRun.objects.get()
    assert (run.status, run.kind, run.progress) == ("done", "simulation", 1.0)


def test_the_same_seeds_give_the_same_figures(project, tmp_path):
    gold_project(project, tmp_path)
    for _ in range(2):
        call_command("simulate_effort", "--project", "demo", "--strategies", "random,similar",
                     *FAST)  # fmt: skip
    first, second = EffortRun.objects.order_by("id")
    assert first.result == second.result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategies", "random,nonsense"], "unknown ['nonsense']"),
        (["--strategies", "dissimilar"], "include it"),
        (["--seeds", "0"], "seeds: must be between 1"),
        (["--eval-share", "0.99"], "eval_share"),
        (["--target-share", "1.5"], "target_share: must be between 0.0 and 1.0"),
        (["--uncertain-batch", "0"], "uncertain_batch: must be between 1"),
        (["--project", "nope"], "no project with slug 'nope'"),
    ],
)
def test_bad_options_are_refused_with_the_field_named(project, args, message):
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call_command("simulate_effort", "--project", "demo", *args)
    assert not EffortRun.objects.exists()


def test_a_project_without_gold_scores_fails_with_a_reason(project, tmp_path):
    PairFactory(project=project)
    with pytest.raises(CommandError, match="simulation needs gold scores"):
        call_command("simulate_effort", "--project", "demo", *FAST)
    assert EffortRun.objects.get().status == "failed"


def test_params_get_defaults_and_numbers_are_checked():
    params = simulation_params({"seeds": "3", "noise": None})
    assert (params["seeds"], params["noise"], params["boot"]) == (3, 1.0, 500)
    with pytest.raises(EffortError, match="noise: 'x' is not a number"):
        simulation_params({"noise": "x"})


def label(pair, who, choice, seconds=5.0):
    return Label.objects.create(pair=pair, annotator=who, choice=choice, active_seconds=seconds)


def test_live_effort_fits_curves_per_arm_and_measures_against_random(
    project, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    gold_project(project, tmp_path, prompts=32)
    held = gold_pairs(project, 8, per_prompt=4)
    people = [UserFactory() for _ in range(2)]
    for arm, strategy in (("base", "random"), ("other", "dissimilar")):
        for prompt in project.prompts.order_by("id")[8:]:
            a, b = list(prompt.responses.order_by("-gold_score"))[:2]
            a, b = sorted((a, b), key=lambda r: r.id)
            pair = Pair.objects.create(project=project, prompt=prompt, response_a=a,
                                       response_b=b, arm=arm, strategy=strategy)  # fmt: skip
            label(pair, people[0], "a" if a.gold_score >= b.gold_score else "b")
    with django_capture_on_commit_callbacks(execute=True):
        run = effort_run_start(project=project, kind=EffortRun.Kind.LIVE)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.result["eval_pairs"] == len(held)
    assert run.result["baseline"] == "base"
    assert set(run.result["arms"]) == {"base", "other"}
    assert run.result["arms"]["base"]["labels"] == 24
    assert run.result["arms"]["base"]["saved_labels"] == 0


def test_live_effort_without_known_answers_says_what_to_do(
    project, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    gold_project(project, tmp_path, prompts=4)
    with django_capture_on_commit_callbacks(execute=True):
        run = effort_run_start(project=project, kind=EffortRun.Kind.LIVE)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "make_gold_pairs" in run.error
