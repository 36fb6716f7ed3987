"""Summed log-probabilities of response tokens given the prompt (prompt tokens excluded).

The prompt is wrapped in the model's chat template when it has one, so the response is scored
as the model's own answer. Batches are padded on the right; only response positions count.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

MAX_TOKENS = 512
BATCH = 8


@dataclass(frozen=True)
class Encoded:
    """Token ids of prompt + response, and where the response starts, for one example."""

    ids: list[int]
    start: int


def context_limit(model, wanted: int = MAX_TOKENS) -> int:
    """`wanted`, capped at the model's context window when its config states one."""
    config = getattr(model, "config", None)
    window = getattr(config, "max_position_embeddings", None)
    window = window or getattr(config, "n_positions", None)
    return min(wanted, int(window)) if window else wanted


def prompt_text(tokenizer, prompt: str) -> str:
    if getattr(tokenizer, "chat_template", None):
        messages = [{"role": "user", "content": prompt}]
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return prompt


def encode(tokenizer, prompt: str, response: str, max_tokens: int = MAX_TOKENS) -> Encoded:
    head = tokenizer(prompt_text(tokenizer, prompt), add_special_tokens=False)["input_ids"]
    tail = tokenizer(response or tokenizer.eos_token, add_special_tokens=False)["input_ids"]
    head = head[-max(1, max_tokens // 2) :]  # keep the end of a long prompt
    tail = tail[: max_tokens - len(head)]
    return Encoded(head + tail, len(head))


def batch_tensors(items: list[Encoded], pad_id: int) -> tuple[torch.Tensor, ...]:
    width = max(len(e.ids) for e in items)
    ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    scored = torch.zeros((len(items), width), dtype=torch.bool)
    for row, e in enumerate(items):
        ids[row, : len(e.ids)] = torch.tensor(e.ids)
        attention[row, : len(e.ids)] = 1
        scored[row, e.start : len(e.ids)] = True
    return ids, attention, scored


def token_logits(model, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model(input_ids=ids, attention_mask=attention).logits.float()


def summed(logits: torch.Tensor, ids: torch.Tensor, scored: torch.Tensor) -> torch.Tensor:
    """Σ_t log softmax(logits)[t−1, id_t] over the scored (response) positions t."""
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    picked = logp.gather(2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    return (picked * scored[:, 1:]).sum(dim=1)
