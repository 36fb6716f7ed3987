"""Building a round's judge: the reference LM (loaded once per worker), the round's policy
(trained here when it does not exist yet), or the embedding judge fitted on people's labels.
Judges are registered by name in JUDGES; what differs between them is a field of their entry,
never a test of the name."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from django.conf import settings

from selection.models import SpaRound
from selection.spa.errors import SpaError
from selection.spa.seed import human_seed, training_rows

JUDGE_CHUNK = 64
# SPA's extrapolation strength for de-coupled noise detection, per round (1/2, 1/4, 1/8).
LAMBDAS = {1: 0.5, 2: 0.25, 3: 0.125}


@cache
def reference_model(name: str):
    """(tokenizer, model) of the reference LM; "smollm2" is the packaged GGUF."""
    from selection.causal_embedding import SMOLLM2, load_causal

    return load_causal(SMOLLM2 if name == "smollm2" else f"causal:{name}")


def load_policy(path: str):
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path).eval()


def implicit_judgements(round_: SpaRound, pairs: list[tuple], stage):
    """(pairs, judgements): the round's policy judges the candidates, and, with data expansion,
    first writes new responses for unlabeled prompts that join the candidates."""
    from selection.spa.judges.implicit import ImplicitRewardJudge

    tokenizer, reference = reference_model(settings.SPA_REFERENCE_MODEL)
    policy = _policy(round_, tokenizer, reference, stage(round_, "training the policy", 0.0, 0.5))
    p = round_.params
    if p["expand"]:
        from selection.spa.expansion import expand

        pairs = pairs + expand(round_, policy, tokenizer, stage(round_, "writing responses",
                                                                 0.5, 0.6))  # fmt: skip
    if not pairs:
        raise SpaError("no unlabeled open pairs to judge, and no unlabeled prompt to expand")
    judge = ImplicitRewardJudge(policy, reference, tokenizer, beta=p["beta"],
                                lam=LAMBDAS.get(round_.number, 0.125),
                                max_tokens=p["max_length"])  # fmt: skip
    report, out = stage(round_, "judging pairs", 0.6, 0.95), []
    for start in range(0, len(pairs), JUDGE_CHUNK):
        chunk = pairs[start : start + JUDGE_CHUNK]
        out += judge.judge([r[1] for r in chunk], [r[4] for r in chunk], [r[5] for r in chunk])
        report((start + len(chunk)) / len(pairs))
    return pairs, out


def _policy(round_: SpaRound, tokenizer, reference, progress):
    """This round's policy: trained by DPO from the parent round's policy (round 1: from the
    reference) on people's labels and the earlier rounds' judge labels."""
    if round_.policy_path and Path(round_.policy_path).exists():
        return load_policy(round_.policy_path)
    rows = training_rows(round_.project, round_.number)
    if not rows:
        raise SpaError("SPA needs a human seed: no decided pair to train the policy on")
    parent = round_.parent
    start = load_policy(parent.policy_path) if parent and parent.policy_path else reference
    from selection.spa.judges.training import dpo_train

    out = policy_dir(round_)
    lineage = {"round": round_.number, "parent_round": parent.number if parent else None,
               "start": parent.policy_path if parent else settings.SPA_REFERENCE_MODEL,
               "reference": settings.SPA_REFERENCE_MODEL}  # fmt: skip
    p = round_.params
    policy, record = dpo_train(copy.deepcopy(start), tokenizer, rows, out, beta=p["beta"],
                               epochs=p["epochs"], learning_rate=p["learning_rate"],
                               lora=p["lora"], max_length=p["max_length"],
                               lineage=lineage, progress=progress)  # fmt: skip
    round_.policy_path, round_.lineage = str(out), record
    return policy.eval()


def embedding_judgements(round_: SpaRound, pairs: list[tuple], stage):
    from selection.embedding import embedder_name, embedding_matrix, embeddings_compute
    from selection.spa.judges.embedding import EmbeddingRewardJudge

    progress = stage(round_, "judging", 0.1, 0.9)
    name = embedder_name()
    seed = human_seed(round_.project)
    ids = sorted({i for r in pairs for i in r[2:4]} | {i for w, lo in seed for i in (w, lo)})
    embeddings_compute(response_ids=ids, name=name)
    vectors = embedding_matrix(ids, name)
    if not seed:
        raise SpaError("SPA needs a human seed: no decided pair to fit the judge on")
    judge = EmbeddingRewardJudge.fit(np.array([vectors[w] - vectors[lo] for w, lo in seed]))
    round_.lineage = {"round": round_.number, "judge": "embedding", "seed_pairs": len(seed)}
    progress(0.5)
    a = np.array([vectors[r[2]] for r in pairs])
    b = np.array([vectors[r[3]] for r in pairs])
    return pairs, judge.judge(a, b)


def policy_dir(spa: SpaRound) -> Path:
    return Path(settings.MEDIA_ROOT) / "spa" / spa.project.slug / f"round-{spa.number}"


def lineage_text(round_: SpaRound) -> str:
    return json.dumps(round_.lineage, indent=2)


@dataclass(frozen=True)
class Judge:
    # (round, candidate rows, stage) → (rows, judgements): rows grow when the judge expands.
    run: Callable[[SpaRound, list[tuple], Callable], tuple[list[tuple], list]]
    label: str  # the dashboard's menu entry
    # Trains a language model: worth it only on GPU workers (default_judge).
    gpu: bool = False
    # Its policy can write new responses for unlabeled prompts (SPA's data expansion).
    expands: bool = False
    # The effort dashboard's SPA simulation replays this judge (selection/effort/spa_sim.py).
    simulated: bool = False


# In the dashboard's menu order.
JUDGES: dict[str, Judge] = {
    "embedding": Judge(embedding_judgements, "embedding (fast)", simulated=True),
    "implicit": Judge(implicit_judgements, "implicit reward (LM)", gpu=True, expands=True),
}


def default_judge() -> str:
    """A judge that trains a language model where GPU workers are configured, else one that
    any worker runs quickly."""
    return next(name for name, j in JUDGES.items() if j.gpu == settings.SPA_GPU_WORKERS)


def expanding_judges() -> list[str]:
    return [name for name, j in JUDGES.items() if j.expands]
