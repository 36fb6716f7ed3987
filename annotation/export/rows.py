"""Preference rows in TRL's formats, the prompt-level train/test split, deduplication keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from annotation.export.aggregate import Decision

METADATA = (
    "pair_id", "source_pair_id", "prompt_id", "chosen_model", "rejected_model", "arm",
    "strategy", "n_labels", "agreement", "label_source", "confidence", "smoothing_weight",
)  # fmt: skip


@dataclass(frozen=True)
class PairText:
    """What a row needs from one pair, read from the database in bulk."""

    pair_id: int
    external_id: str
    prompt_id: int
    prompt_external_id: str
    prompt: str
    text_a: str
    text_b: str
    model_a: str
    model_b: str
    arm: str
    strategy: str


def row(pair: PairText, decision: Decision, *, conversational: bool) -> dict:
    a_wins = decision.winner == "a"
    chosen, rejected = (pair.text_a, pair.text_b) if a_wins else (pair.text_b, pair.text_a)
    if conversational:
        prompt = [{"role": "user", "content": pair.prompt}]
        chosen = [{"role": "assistant", "content": chosen}]
        rejected = [{"role": "assistant", "content": rejected}]
    else:
        prompt = pair.prompt
    return {
        "prompt": prompt, "chosen": chosen, "rejected": rejected,
        "pair_id": pair.pair_id, "source_pair_id": pair.external_id or None,
        "prompt_id": pair.prompt_external_id,
        "chosen_model": pair.model_a if a_wins else pair.model_b,
        "rejected_model": pair.model_b if a_wins else pair.model_a,
        "arm": pair.arm, "strategy": pair.strategy, "n_labels": decision.n_labels,
        "agreement": decision.agreement, "label_source": decision.source,
        "confidence": decision.confidence,
        # Label smoothing towards the flipped label (SPA's noisy pairs); 0 = a hard label.
        "smoothing_weight": decision.smoothing,
    }  # fmt: skip


def split_of(prompt_id: int, *, test_share: float, seed: int) -> str:
    """ "test" for a fixed share of prompts, decided by a hash: every pair of a prompt lands in
    the same split, and the same prompt lands there again on the next export."""
    if test_share <= 0:
        return "train"
    digest = hashlib.sha256(f"{seed}:{prompt_id}".encode()).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2**64 < test_share else "train"


def dedup_key(pair: PairText, decision: Decision) -> bytes:
    """Same prompt, same chosen and rejected text: one row, however many pairs produced it."""
    chosen, rejected = (
        (pair.text_a, pair.text_b) if decision.winner == "a" else (pair.text_b, pair.text_a)
    )
    digest = hashlib.blake2b(digest_size=16)
    for part in (pair.prompt, chosen, rejected):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.digest()
