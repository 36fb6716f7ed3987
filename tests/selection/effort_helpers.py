"""A small gold-scored project with embeddings, for the effort tests."""

from __future__ import annotations

import numpy as np

from annotation.models import Label, Pair, Response
from selection.effort.simulate import gold_to_scale
from selection.embedding import embedder_name
from selection.models import ResponseEmbedding
from selection.profiles import competency_buckets_compute
from tests.factories import PairFactory, PromptFactory, ResponseFactory, UserFactory
from tests.selection.helpers import load_slice


def store_embeddings(project, dim: int = 16, seed: int = 0) -> None:
    """Unit vectors with a direction that tracks gold, written as the configured embedder's.

    The real embedder is exercised by the embedding tests; here the vectors only need to be
    stored where the effort code reads them, and carry a learnable signal.
    """
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=dim)
    rows = []
    # In id order: each response gets the same draw whatever plan the database picks.
    responses = Response.objects.filter(prompt__project=project).order_by("id")
    rows_in = list(responses.values_list("id", "gold_score"))
    gold = gold_to_scale(np.array([g for _id, g in rows_in], dtype=float))
    for (rid, _raw), g in zip(rows_in, gold, strict=True):
        v = 0.5 * rng.normal(size=dim) + 0.1 * g * direction
        v = (v / np.linalg.norm(v)).astype(np.float32)
        rows.append(ResponseEmbedding(response_id=rid, embedder=embedder_name(), dimension=dim,
                                      vector=v.tobytes()))  # fmt: skip
    ResponseEmbedding.objects.bulk_create(rows)


def gold_project(project, tmp_path, prompts: int = 24, models: int = 6):
    load_slice(project, tmp_path, prompts=prompts, models=models)
    competency_buckets_compute(project=project, count=2)
    store_embeddings(project)
    return project


def gold_pairs(project, count: int, per_prompt: int = 1) -> list[Pair]:
    """Pairs whose answer is known from gold: on each of the first `count` prompts, its first
    response against its last, then against the one before, and so on."""
    pairs = []
    for prompt in project.prompts.order_by("id")[:count]:
        responses = list(prompt.responses.order_by("id"))
        for b in responses[::-1][:per_prompt]:
            a = responses[0]
            choice = "a" if a.gold_score > b.gold_score else "b"
            pairs.append(Pair.objects.create(project=project, prompt=prompt, response_a=a,
                                             response_b=b, is_gold=True, gold_choice=choice,
                                             arm="gold"))  # fmt: skip
    return pairs


def spa_seeded(project, decided: int, unlabeled: int):
    """`decided` pairs a person decided (the clear answer, response a, wins) and `unlabeled`
    open pairs nobody labeled; the responses' embeddings carry which answer is the clear one."""
    person = UserFactory()
    for i in range(decided + unlabeled):
        prompt = PromptFactory(project=project, text=f"Explain thing {i}")
        a = ResponseFactory(prompt=prompt, text=f"A clear answer about {i}.", gold_score=1.95)
        b = ResponseFactory(prompt=prompt, text=f"no {i}", gold_score=1.05)
        pair = PairFactory(project=project, prompt=prompt, response_a=a, response_b=b)
        if i < decided:
            Label.objects.create(pair=pair, annotator=person, choice="a")
    store_embeddings(project)
    return project
