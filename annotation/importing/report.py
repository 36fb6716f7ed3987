"""What an import did: counts, and the issues that kept lines out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from annotation.importing.errors import ImportIssue
from annotation.importing.writer import Counts

MAX_LISTED_ISSUES = 100


@dataclass
class ImportReport:
    file: str
    file_format: str = ""
    counts: Counts = field(default_factory=Counts)
    issues: list[ImportIssue] = field(default_factory=list)
    issue_count: int = 0
    records_read: int = 0
    records_kept: int = 0
    refused: bool = False
    skip_invalid: bool = False
    seconds: float = 0.0

    def refuse_records(self, line: int, field: str, reason: str, records: int) -> None:
        """Records counted as kept that the writer refused after all (annotation/importing/
        writer.py): their issue, and they are kept no more."""
        self.add_issue(ImportIssue(self.file, line, field, reason))
        self.records_kept -= records

    def add_issue(self, issue: ImportIssue) -> None:
        self.issue_count += 1
        if len(self.issues) < MAX_LISTED_ISSUES:
            self.issues.append(issue)

    @property
    def records_skipped(self) -> int:
        return self.records_read - self.records_kept if not self.refused else 0

    def summary(self) -> str:
        if self.refused:
            return self._refusal()
        c = self.counts
        lines = [
            f"{self.file} ({self.file_format}): {self.records_kept} records imported "
            f"in {self.seconds:.2f} s",
            f"  prompts:   {c.prompts_created} created, {c.prompts_existing} already present",
            f"  responses: {c.responses_created} created, {c.responses_existing} already present",
        ]
        if self.file_format == "pairs":
            lines.append(
                f"  pairs:     {c.pairs_created} created, {c.pairs_existing} already present"
            )
            lines.append(
                f"  labels:    {c.labels_created} created, {c.labels_existing} already present"
            )
        if self.issue_count:
            lines.append(f"  skipped {self.issue_count} invalid records:")
            lines += self._issue_lines()
        return "\n".join(lines)

    def _refusal(self) -> str:
        head = (
            f"{self.file}: nothing imported, {self.issue_count} problem"
            f"{'s' if self.issue_count != 1 else ''} found"
        )
        hint = (
            "  (fix them, or pass --skip-invalid to import the valid records)"
            if self.records_read > self.issue_count and not self.skip_invalid
            else ""
        )
        return "\n".join([head, *self._issue_lines(), *([hint] if hint else [])])

    def _issue_lines(self) -> list[str]:
        lines = [f"  {issue}" for issue in self.issues]
        if self.issue_count > len(self.issues):
            lines.append(f"  ... and {self.issue_count - len(self.issues)} more")
        return lines

    def to_dict(self) -> dict:
        data = asdict(self)
        data["records_skipped"] = self.records_skipped
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["counts"] = Counts(**data.get("counts", {}))
        values["issues"] = [ImportIssue(**issue) for issue in data.get("issues", [])]
        return cls(**values)
