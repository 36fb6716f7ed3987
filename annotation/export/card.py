"""The dataset card (README.md) written beside every export."""

from __future__ import annotations

from annotation.export.report import DEFAULT_TEST_SHARE, ExportReport

LOADING = {
    "jsonl": 'load_dataset("json", data_files={{{files}}})',
    "parquet": 'load_dataset("parquet", data_files={{{files}}})',
    "hf": 'load_from_disk("{folder}")',
}


def card(report: ExportReport, *, project_name: str, license_name: str, folder: str) -> str:
    files = ", ".join(f'"{s}": "{s}.{report.fmt}"' for s in report.splits)
    load = LOADING[report.fmt].format(files=files, folder=folder)
    arms = "\n".join(f"| {arm} | {strategy} | {n} |" for (arm, strategy), n in
                     sorted(report.by_arm.items()))  # fmt: skip
    dropped = "\n".join(f"| {why} | {n} |" for why, n in sorted(report.dropped.items()))
    return f"""---
license: {license_name}
task_categories:
- text-generation
tags:
- dpo
- preference
- pairsmith
---

# {project_name}: preference pairs

Pairwise human preferences over LLM responses, exported by Pairsmith in TRL's
{"conversational" if report.conversational else "standard"} preference format
(`prompt`, `chosen`, `rejected`), ready for `trl.DPOTrainer`.

```python
from datasets import {"load_from_disk" if report.fmt == "hf" else "load_dataset"}
dataset = {load}
```

## Counts

| split | rows |
| --- | --- |
{chr(10).join(f"| {s} | {n} |" for s, n in sorted(report.splits.items()))}

Pairs considered: {report.pairs}. Rows written: {report.rows}. Duplicates removed (same prompt,
chosen and rejected): {report.duplicates}. The split is by prompt: no prompt is in two splits.
Test split: {report.test_share:.0%} of prompts, drawn by a hash of the prompt with seed
{report.seed} (`--test-share`, default {DEFAULT_TEST_SHARE:.0%}: everything in train).

### Strategies (selection arms)

| arm | strategy | rows |
| --- | --- | --- |
{arms}

### Not exported, and why

| reason | pairs |
| --- | --- |
{dropped or "| (none) | 0 |"}

`tie` and `both_bad`: the deciding answer was a tie or both responses were bad.
`no_majority`: answers split evenly. `low_agreement`: the majority share was below
{report.policy.min_agreement:.2f}. `model_only`: only a judge model labeled the pair and model
labels were not included. `no_judgement`: no live answer, or only skips.
`identical_responses`: both responses have the same text, so chosen would equal rejected.

## Agreement

Mean share of answers agreeing with the exported choice: {_mean(report)}; rows decided by one
answer: {report.single_answer}; by a lead's adjudication: {report.by_source.get("adjudicated", 0)}.
Label sources: {", ".join(f"{k} {v}" for k, v in sorted(report.by_source.items())) or "none"}.

## Columns

`pair_id`, `source_pair_id` (the imported file's own `pair_id`, where it had one), `prompt_id`
(the imported prompt id), `chosen_model`, `rejected_model`, `arm`,
`strategy`, `n_labels`, `agreement`, `label_source` (human / model / imported / adjudicated),
`confidence` (model labels), `smoothing_weight` (0 for a hard label).

## Licence

`{license_name}`. Responses were written by third-party models whose providers' terms may
also apply.
"""


def _mean(report: ExportReport) -> str:
    return f"{report.agreement_sum / report.rows:.3f}" if report.rows else "—"
