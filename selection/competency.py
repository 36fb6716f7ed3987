"""Model competency from a CSV: one column as the scalar Q, chosen columns as the benchmark
vector KARMA compares (kinship, buckets, quality). By default the vector is the competency
column alone: a table's other numbers are often counts, errors or lengths, which describe a
measurement rather than how good a model is, so widening the vector is the user's choice."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from annotation.importing.errors import ImportIssue
from annotation.models import Project
from selection.columns import vector_warnings
from selection.models import ModelProfile


class CompetencyImportError(ValueError):
    """The CSV was refused; `issues` says where and why."""

    def __init__(self, issues: list[ImportIssue]) -> None:
        super().__init__("\n".join(str(issue) for issue in issues))
        self.issues = issues


@dataclass
class CompetencyReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    benchmark_columns: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # numeric columns not in the vector
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [
            f"model profiles: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; benchmark vector: {', '.join(self.benchmark_columns)}"
        ]
        if self.left_out:
            lines.append(f"numeric columns left out of the vector: {', '.join(self.left_out)}")
        return "\n".join(lines + [f"warning: {w}" for w in self.warnings])


@dataclass
class _Row:
    line: int
    model: str
    competency: float
    benchmarks: dict[str, float]


def model_profiles_import(
    *,
    project: Project,
    path: str | Path,
    model_column: str = "model",
    competency_column: str = "win_rate",
    benchmark_columns: list[str] | None = None,
) -> CompetencyReport:
    """Create or update one imported ModelProfile per CSV row; all or nothing; idempotent.
    The benchmark vector is `benchmark_columns` (default: the competency column alone)."""
    path = Path(path)
    header, rows = _read(path)
    chosen = list(benchmark_columns or [competency_column])
    missing = [c for c in (model_column, competency_column, *chosen) if c not in header]
    if missing:
        reason = f"missing column (the columns are: {', '.join(header)})"
        raise CompetencyImportError([ImportIssue(path.name, 1, missing[0], reason)])
    numeric = _numeric_columns(header, rows, exclude={model_column})
    parsed = _parse_rows(path.name, rows, model_column, competency_column, chosen)
    report = _upsert(project, parsed, chosen)
    report.left_out = [c for c in numeric if c not in chosen]
    report.warnings = vector_warnings(chosen)
    return report


def _read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            # Rows are keyed by the names people meant, not by stray spaces around them.
            reader.fieldnames = [c.strip() for c in reader.fieldnames or []]
            rows = [(reader.line_num, row) for row in reader]
            return list(reader.fieldnames), rows
    except UnicodeDecodeError as exc:
        issue = ImportIssue(path.name, None, None, f"bad encoding: not valid UTF-8 ({exc.reason})")
        raise CompetencyImportError([issue]) from None


def _number(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is None or math.isfinite(value) else None


def _numeric_columns(header: list[str], rows, exclude: set[str]) -> list[str]:
    """Columns whose every non-empty cell is a number (and at least one is)."""
    numeric = []
    for column in header:
        cells = [row.get(column) for _, row in rows if row.get(column) not in (None, "")]
        if column not in exclude and cells and all(_number(c) is not None for c in cells):
            numeric.append(column)
    return numeric


def _parse_rows(name, rows, model_column, competency_column, columns) -> list[_Row]:
    """Every row checked (all issues reported together); `columns` form the vector."""
    others = [c for c in columns if c != competency_column]  # its own check names it once
    issues: list[ImportIssue] = []
    seen: dict[str, int] = {}
    parsed: list[_Row] = []
    for line, row in rows:
        model = (row.get(model_column) or "").strip()
        competency = _number(row.get(competency_column))
        if not model:
            issues.append(ImportIssue(name, line, model_column, "empty"))
        elif model in seen:
            reason = f"duplicate model {model!r}: also on line {seen[model]}"
            issues.append(ImportIssue(name, line, model_column, reason))
        if competency is None:
            reason = f"expected a number, got {row.get(competency_column)!r}"
            issues.append(ImportIssue(name, line, competency_column, reason))
        seen.setdefault(model, line)
        issues += _benchmark_issues(name, line, row, others)
        benchmarks = {c: v for c in columns if (v := _number(row.get(c))) is not None}
        parsed.append(_Row(line, model, competency or 0.0, benchmarks))
    if issues:
        raise CompetencyImportError(issues)
    return parsed


def _benchmark_issues(name: str, line: int, row: dict, columns: list[str]) -> list[ImportIssue]:
    """A benchmark cell is a number or empty (KARMA fills an empty one with the column mean)."""
    return [
        ImportIssue(name, line, c, f"expected a number, got {row.get(c)!r}")
        for c in columns
        if row.get(c) not in (None, "") and _number(row.get(c)) is None
    ]


@transaction.atomic
def _upsert(project: Project, rows: list[_Row], numeric: list[str]) -> CompetencyReport:
    report = CompetencyReport(benchmark_columns=numeric)
    existing = {p.model_name: p for p in ModelProfile.objects.filter(project=project)}
    for row in rows:
        profile = existing.get(row.model)
        if profile is None:
            ModelProfile.objects.create(
                project=project,
                model_name=row.model,
                competency=row.competency,
                benchmarks=row.benchmarks,
                source=ModelProfile.Source.IMPORTED,
            )
            report.created += 1
        elif (profile.competency, profile.benchmarks, profile.source) == (
            row.competency,
            row.benchmarks,
            ModelProfile.Source.IMPORTED,
        ):
            report.unchanged += 1
        else:
            profile.competency, profile.benchmarks = row.competency, row.benchmarks
            profile.source = ModelProfile.Source.IMPORTED
            profile.save(update_fields=["competency", "benchmarks", "source", "updated_at"])
            report.updated += 1
    return report
