"""export_dpo: stream a project's decided pairs into JSONL, Parquet or a `datasets` folder."""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from annotation.export.aggregate import Policy, Vote, decide
from annotation.export.card import card
from annotation.export.report import DEFAULT_TEST_SHARE, ExportReport
from annotation.export.rows import PairText, dedup_key, row, split_of
from annotation.export.writers import FORMATS, SplitSinks, hf_dataset
from annotation.models import Label, Pair, Project

CHUNK = 2000
# Why a decided pair whose two responses have the same text is not exported (the card says).
IDENTICAL = "identical_responses"


class ExportError(ValueError):
    """The export cannot run as asked, for a reason the user can act on."""


def export_dpo(
    *, project: Project, out_dir: Path, fmt: str = "jsonl", conversational: bool = False,
    include_model_labels: bool = False, min_agreement: float = 0.5,
    test_share: float = DEFAULT_TEST_SHARE, seed: int = 0, license_name: str = "unspecified",
    progress: Callable[[float], None] | None = None,
) -> ExportReport:  # fmt: skip
    if fmt not in FORMATS:
        raise ExportError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    if not 0.0 <= min_agreement <= 1.0 or not 0.0 <= test_share < 1.0:
        raise ExportError("min_agreement must lie in [0, 1] and test_share in [0, 1)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    policy = Policy(min_agreement, include_model_labels)
    report = ExportReport(fmt, conversational, policy, test_share=test_share, seed=seed)
    staging = Path(tempfile.mkdtemp(prefix="pairsmith-export-")) if fmt == "hf" else out_dir
    try:
        sinks = SplitSinks(staging, "parquet" if fmt == "hf" else fmt, conversational)
        _stream(project, sinks, report, test_share, seed, progress)
        files = sinks.close()
        if fmt == "hf":
            hf_dataset(files, out_dir)
        report.files = sorted(str(p.name) for p in files.values()) if fmt != "hf" else ["."]
    finally:
        if fmt == "hf":
            shutil.rmtree(staging, ignore_errors=True)
    text = card(report, project_name=project.name, license_name=license_name, folder=str(out_dir))
    (out_dir / "README.md").write_text(text, encoding="utf-8")
    return report


def _stream(project, sinks: SplitSinks, report: ExportReport, test_share, seed, progress):
    seen: set[bytes] = set()
    ids = list(Pair.objects.filter(project=project).order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        by_split: dict[str, list[dict]] = defaultdict(list)
        chunk = ids[start : start + CHUNK]
        for pair, votes in _chunk(project, chunk[0], chunk[-1]):
            report.pairs += 1
            decision = decide(votes, report.policy)
            if decision.winner is None:
                report.dropped[decision.dropped] += 1
                continue
            if pair.text_a == pair.text_b:
                # Chosen and rejected would be the same text: a row that teaches nothing.
                report.dropped[IDENTICAL] += 1
                continue
            key = dedup_key(pair, decision)
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            split = split_of(pair.prompt_id, test_share=test_share, seed=seed)
            by_split[split].append(row(pair, decision, conversational=report.conversational))
            report.kept(decision, split, (pair.arm, pair.strategy))
        for split, rows in by_split.items():
            sinks.write(split, rows)
        if progress is not None:
            progress(min(1.0, (start + CHUNK) / len(ids)))


def _chunk(project, first: int, last: int) -> Iterator[tuple[PairText, list[Vote]]]:
    """The project's pairs with ids in [first, last] and their live labels (an id range, not an
    IN list: cheaper to build and to plan at thousands of ids)."""
    votes: dict[int, list[Vote]] = defaultdict(list)
    labels = (
        Label.objects.live()
        .filter(pair__project=project, pair_id__gte=first, pair_id__lte=last)
        .order_by("created_at", "id")
        .values_list("pair_id", "source", "choice", "confidence", "smoothing")
    )
    for pair_id, source, choice, confidence, smoothing in labels:
        votes[pair_id].append(Vote(source, choice, confidence, smoothing))
    rows = (
        Pair.objects.filter(project=project, id__gte=first, id__lte=last)
        .order_by("id")
        .values_list(
            "id", "external_id", "prompt_id", "prompt__external_id", "prompt__text",
            "response_a__text", "response_b__text", "response_a__model_name",
            "response_b__model_name", "arm", "strategy",
        )
    )  # fmt: skip
    for values in rows:
        yield PairText(*values), votes.get(values[0], [])
