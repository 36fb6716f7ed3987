"""SPA's training step: DPO (TRL's DPOTrainer, β = 0.1) of a policy on preference rows, from the
reference or the previous round's policy; LoRA via `peft` as an option."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path

from selection.spa.judges.logprobs import context_limit

BETA = 0.1


def dpo_train(
    model, tokenizer, rows: list[dict], out_dir: Path, *, beta: float = BETA, epochs: float = 1,
    batch: int = 4, learning_rate: float = 5e-6, lora: bool = False, max_length: int = 512,
    lineage: dict | None = None, progress: Callable[[float], None] | None = None,
):  # fmt: skip
    """Train `model` in place on rows of {prompt, chosen, rejected}; save it with its lineage.
    The frozen copy taken before training is DPO's reference."""
    os.environ.setdefault("WANDB_DISABLED", "true")
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    model = trainable(model)
    reference = None if lora else copy.deepcopy(model).eval()
    args = DPOConfig(
        output_dir=str(out_dir / "trainer"), num_train_epochs=epochs,
        per_device_train_batch_size=batch, learning_rate=learning_rate, beta=beta,
        max_length=context_limit(model, max_length), report_to=[], save_strategy="no",
        logging_steps=1, use_cpu=not _cuda(), disable_tqdm=True,
    )  # fmt: skip
    trainer = DPOTrainer(
        model=model, ref_model=reference, args=args, processing_class=tokenizer,
        train_dataset=Dataset.from_list(rows), peft_config=_lora() if lora else None,
        callbacks=[_Progress(progress)] if progress else None,
    )  # fmt: skip
    result = trainer.train()
    trained = trainer.model.merge_and_unload() if lora else trainer.model
    out_dir.mkdir(parents=True, exist_ok=True)
    trained.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    record = {"beta": beta, "epochs": epochs, "rows": len(rows), "lora": lora,
              "loss": result.training_loss, **(lineage or {})}  # fmt: skip
    (out_dir / "lineage.json").write_text(json.dumps(record, indent=2))
    return trained, record


def trainable(model):
    """A GGUF file is dequantized to ordinary float weights when loaded, but the model keeps its
    GGUF quantizer marker, which Trainer refuses to fine-tune; the weights themselves are plain
    tensors, so the marker is dropped (only for GGUF: other quantizations stay refused)."""
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is None or "gguf" not in type(quantizer).__name__.lower():
        return model
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    return model


def _cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def _lora():
    from peft import LoraConfig

    return LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, task_type="CAUSAL_LM")


class _Progress:
    """A TrainerCallback (duck-typed) that reports the share of steps done."""

    def __init__(self, report: Callable[[float], None]) -> None:
        self.report = report

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None

    def on_step_end(self, args, state, control, **kwargs):
        if state.max_steps:
            self.report(state.global_step / state.max_steps)
