from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotation.export.aggregate import Decision, Policy

# Share of prompts in the test split when an export does not say (export_dpo --test-share,
# the export form and the API).
DEFAULT_TEST_SHARE = 0.0


@dataclass
class ExportReport:
    fmt: str
    conversational: bool
    policy: Policy
    pairs: int = 0
    rows: int = 0
    duplicates: int = 0
    single_answer: int = 0
    agreement_sum: float = 0.0
    splits: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    by_source: Counter = field(default_factory=Counter)
    by_arm: Counter = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)
    test_share: float = DEFAULT_TEST_SHARE
    seed: int = 0

    def kept(self, decision: Decision, split: str, arm: tuple[str, str]) -> None:
        self.rows += 1
        self.splits[split] += 1
        self.by_source[decision.source] += 1
        self.by_arm[arm] += 1
        self.agreement_sum += decision.agreement or 0.0
        self.single_answer += decision.n_labels == 1

    def summary(self) -> str:
        dropped = ", ".join(f"{k} {v}" for k, v in sorted(self.dropped.items())) or "none"
        splits = ", ".join(f"{k} {v}" for k, v in sorted(self.splits.items())) or "no rows"
        return (
            f"{self.rows} rows ({splits}) from {self.pairs} pairs; "
            f"duplicates removed {self.duplicates}; not exported: {dropped}"
        )

    def as_dict(self) -> dict:
        return {
            "format": self.fmt, "conversational": self.conversational, "pairs": self.pairs,
            "rows": self.rows, "duplicates": self.duplicates, "splits": dict(self.splits),
            "dropped": dict(self.dropped), "by_source": dict(self.by_source),
            "files": self.files,
        }  # fmt: skip
