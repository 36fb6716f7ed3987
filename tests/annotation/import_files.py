"""Small input files for import tests, written into a temporary folder."""

from __future__ import annotations

import json
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
POOL = SHARED_DATA / "alpacaeval_pool.jsonl"
MODELS_CSV = SHARED_DATA / "alpacaeval_models.csv"


def write_jsonl(folder: Path, name: str, records: list) -> Path:
    path = folder / name
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def grouped(prompt_id, prompt="What is 2+2?", models=("m1", "m2", "m3"), **extra) -> dict:
    responses = [
        {"model": m, "text": f"{m} says {i}", "gold_preference": 1.0 + i / 10}
        for i, m in enumerate(models)
    ]
    return {"prompt_id": prompt_id, "prompt": prompt, "responses": responses, **extra}


def pair(prompt="Say hi", chosen="Hello there!", rejected="go away", **extra) -> dict:
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected, **extra}


FLAT_ROWS = [
    {"prompt_id": "p1", "prompt": "First?", "model": "m1", "response": "a1", "gold_score": 1.5},
    {"prompt_id": "p1", "prompt": "First?", "model": "m2", "response": "a2", "gold_score": 1.0},
    {"prompt_id": "p2", "prompt": "Second?", "model": "m1", "response": "b1", "gold_score": None},
    {"prompt_id": "p1", "prompt": "First?", "model": "m3", "response": "", "gold_score": 2.0},
]
