from __future__ import annotations

import json
from pathlib import Path

from annotation.importing.service import import_file
from selection.competency import model_profiles_import

DEMO = Path(__file__).resolve().parents[2] / "selection" / "demo_data"


def slice_of_demo(tmp_path: Path, prompts: int, models: int) -> Path:
    """The first `prompts` demo prompts with their first `models` responses."""
    out = tmp_path / "slice.jsonl"
    with (DEMO / "alpacaeval_sample.jsonl").open() as src, out.open("w") as dst:
        for line, _ in zip(src, range(prompts), strict=False):
            record = json.loads(line)
            record["responses"] = record["responses"][:models]
            dst.write(json.dumps(record) + "\n")
    return out


def load_slice(project, tmp_path: Path, prompts: int = 6, models: int = 5) -> None:
    report = import_file(project=project, path=slice_of_demo(tmp_path, prompts, models))
    assert not report.refused, report.summary()
    model_profiles_import(project=project, path=DEMO / "alpacaeval_models.csv")
