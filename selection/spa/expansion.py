"""SPA's optional data expansion: for prompts nobody has labeled yet, the round's policy writes
K = 2 new responses, stored as responses of model `policy-round-N` and paired for judging."""

from __future__ import annotations

import numpy as np
from django.db import transaction

from annotation.models import Label, LabelSource, Pair, Prompt, Response
from annotation.services import PairSpec, pairs_create
from selection.models import SpaRound
from selection.spa.judges.generation import K, sample_responses


def model_name(round_: SpaRound) -> str:
    return f"policy-round-{round_.number}"


def new_prompts(round_: SpaRound, count: int) -> list[Prompt]:
    """Prompts without a person's label on any of their pairs, not expanded by this round yet."""
    people = Label.objects.live().exclude(source=LabelSource.MODEL)
    labeled = people.filter(pair__project=round_.project).values("pair__prompt_id")
    expanded = Response.objects.filter(model_name=model_name(round_)).values("prompt_id")
    prompts = round_.project.prompts.exclude(id__in=labeled).exclude(id__in=expanded)
    return list(prompts.order_by("id")[:count])


def expand(round_: SpaRound, policy, tokenizer, progress) -> list[tuple]:
    """Generate, store and pair the new responses; the new pairs as candidate rows for judging."""
    p = round_.params
    prompts, created = new_prompts(round_, p["expand"]), []
    for i, prompt in enumerate(prompts):
        texts = sample_responses(policy, tokenizer, prompt.text, k=K,
                                 max_new_tokens=p["max_new_tokens"],
                                 seed=p["seed"] + prompt.id)  # fmt: skip
        created.append(_store(round_, prompt, texts))
        progress((i + 1) / len(prompts))
    return _candidate_rows(round_, created)


@transaction.atomic
def _store(round_: SpaRound, prompt: Prompt, texts: list[str]) -> int:
    name = model_name(round_)
    responses = [
        Response.objects.create(prompt=prompt, external_id=f"{name}-{j + 1}", model_name=name,
                                text=text, metadata={"spa_round": round_.number})
        for j, text in enumerate(texts)
    ]  # fmt: skip
    arm = round_.params.get("arm") or "spa-expansion"
    spec = PairSpec(prompt.id, responses[0].id, responses[1].id)
    rng = np.random.default_rng(round_.params["seed"] + prompt.id)
    pairs_create(project=round_.project, specs=[spec], arm=arm, strategy="spa", rng=rng)
    return prompt.id


def _candidate_rows(round_: SpaRound, prompt_ids: list[int]) -> list[tuple]:
    name = model_name(round_)
    rows = Pair.objects.filter(prompt_id__in=prompt_ids, strategy="spa",
                               response_a__model_name=name).order_by("id")  # fmt: skip
    return list(rows.values_list("id", "prompt__text", "response_a_id", "response_b_id",
                                 "response_a__text", "response_b__text"))  # fmt: skip
