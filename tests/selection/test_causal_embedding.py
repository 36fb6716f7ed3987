from __future__ import annotations

import numpy as np
import pytest

from selection.causal_embedding import SMOLLM2, smollm2_dir
from selection.embedding import embedding_matrix, embeddings_compute
from tests.factories import PromptFactory, ResponseFactory

pytestmark = pytest.mark.slow


def test_smollm2_mean_pool_embeds_responses_offline(db, project):
    assert (smollm2_dir() / "SmolLM2-135M-Instruct.Q4_1.gguf").exists()
    prompt = PromptFactory(project=project)
    texts = ["Paris is the capital of France.", "Paris is France's capital city.",
             "def add(a, b):\n    return a + b", ""]  # fmt: skip
    responses = [ResponseFactory(prompt=prompt, text=t) for t in texts]
    ids = [r.id for r in responses]
    assert embeddings_compute(response_ids=ids, name=SMOLLM2) == 4
    vec = embedding_matrix(ids, SMOLLM2)
    assert {v.shape for v in vec.values()} == {(576,)}
    assert all(abs(np.linalg.norm(v) - 1) < 1e-4 for v in vec.values())
    same_meaning = float(vec[ids[0]] @ vec[ids[1]])
    other = float(vec[ids[0]] @ vec[ids[2]])
    assert same_meaning > other
