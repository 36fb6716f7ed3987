"""SPA's data expansion: K responses sampled from the current policy for a prompt."""

from __future__ import annotations

import torch

from selection.spa.judges import logprobs as lp

K = 2  # SPA generates two responses per new prompt


def sample_responses(
    model, tokenizer, prompt: str, *, k: int = K, max_new_tokens: int = 256, seed: int = 0,
    temperature: float = 0.7, top_p: float = 0.9,
) -> list[str]:  # fmt: skip
    """`k` sampled answers to `prompt` (in the model's chat template), reproducible by `seed`.
    A long prompt keeps its end, so prompt + answer fit in the model's context window."""
    window = lp.context_limit(model, 1 << 30)
    head = tokenizer(lp.prompt_text(tokenizer, prompt), add_special_tokens=False)["input_ids"]
    max_new_tokens = min(max_new_tokens, max(1, window // 2))
    head = head[-max(1, window - max_new_tokens) :]
    ids = torch.tensor([head])
    torch.manual_seed(seed)
    with torch.no_grad():
        out = model.generate(
            input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=True,
            temperature=temperature, top_p=top_p, num_return_sequences=k,
            max_new_tokens=max_new_tokens, pad_token_id=_pad_id(tokenizer),
        )  # fmt: skip
    return [storable(tokenizer.decode(row[len(head) :], skip_special_tokens=True)) for row in out]


def storable(text: str) -> str:
    """A sampled answer as it can be stored: NUL characters, which PostgreSQL text cannot hold
    and a person cannot see, are dropped, then surrounding whitespace."""
    return text.replace("\x00", "").strip()


def _pad_id(tokenizer) -> int:
    pad = tokenizer.pad_token_id
    return pad if pad is not None else tokenizer.eos_token_id
