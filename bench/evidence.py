"""The evidence section of docs/results.md, written from one simulation result (bench/simulate.py).

Everything in the section comes from the result: the table, the target's derivation, the
reference lines and one plain sentence per strategy, so no claim outlives the run behind it.
"""

from __future__ import annotations

import re

START = "<!-- evidence:start (bench/simulate.py writes this section) -->"
END = "<!-- evidence:end -->"
SHOWN_AT = (50, 100, 300)
NAMES = {
    "dissimilar": "dissimilar (REAL)",
    "kinship": "kinship (KARMA)",
    "uncertain": "uncertain (active learning)",
    "oracle": "oracle (sees gold; upper bound)",
}


def accuracy_at(arm: dict, n: int) -> float | None:
    """The arm's mean accuracy at n labels (interpolated; None past its last point)."""
    sizes, acc = [0, *arm["sizes"]], [0.5, *arm["accuracy"]]
    if n > sizes[-1]:
        return None
    for k in range(1, len(sizes)):
        if n <= sizes[k]:
            share = (n - sizes[k - 1]) / (sizes[k] - sizes[k - 1])
            return acc[k - 1] + share * (acc[k] - acc[k - 1])
    return None


def _num(value: float | None, spec: str = ".3f") -> str:
    return "—" if value is None else format(value, spec).replace("-", "−")


def _interval(ci: list | None) -> str:
    if not ci:
        return "—"
    low = "−∞" if ci[0] is None else _num(ci[0], "+.2f")
    return f"[{low}, {_num(ci[1], '+.2f')}]"


def verdict(name: str, arm: dict, baseline: str) -> str:
    """One sentence a lead can act on: saves, costs, or cannot be told from random."""
    if name == baseline:
        return "the baseline every saving is measured against"
    if arm.get("labels_to_target") is None:
        return f"does not reach the target within its {arm['labels']:.0f} labels"
    ci, saved = arm.get("saved_labels_ci"), arm.get("saved_labels")
    if not ci or saved is None:
        return "no saving can be stated"
    low, high = ci
    if low is not None and low > 0:
        interval = f"95% interval {low:.0%} to {high:.0%}"
        return f"saves {saved:.0%} of the labels random needs ({interval})"
    if high < 0:
        return f"needs {-saved:.0%} more labels than random (interval ends at {_pct(high)})"
    shown = "−∞" if low is None else _pct(low)
    return f"cannot be told from random: {_pct(saved)}, interval {shown} to {_pct(high)}"


def _pct(value: float) -> str:
    return f"{value:+.0%}".replace("-", "−")


FLAT = 0.02  # a ceiling this close to random's start leaves no room to measure a saving


def caveats(result: dict) -> list[str]:
    """What a reader must know before reading the savings, decided by the figures."""
    said = []
    if result["ceiling"] - result["start"] < FLAT:
        said.append(
            f"The ceiling is within {result['ceiling'] - result['start']:.3f} of random's start: "
            "every arm begins about where the best one ends, so N(q) and the savings below "
            "measure noise, not effort; compare the accuracy columns instead."
        )
    if result["length_accuracy"] > result["ceiling"]:
        said.append(
            f"No arm's reward model reaches the length rule ({result['length_accuracy']:.3f}) "
            "with these labels: the longer response wins more often than any learned model says."
        )
    return said


def section(runs: list[tuple[str, dict]], seeds: int) -> str:
    """The whole section: per (title, result) a heading line, the table and the verdicts."""
    parts = [START, ""]
    for title, result in runs:
        parts += [f"**{title}**", "", *_one(result, seeds), ""]
    return "\n".join([*parts, END])


def _one(result: dict, seeds: int) -> list[str]:
    arms, baseline = result["arms"], result["baseline"]
    shown = " / ".join(str(n) for n in SHOWN_AT)
    rows = [
        f"| strategy | accuracy at {shown} labels | final (labels) | N(q) | effort saved "
        "(labels) [95% interval] | saved (seconds) [95% interval] | uninformative | "
        "simulated label error |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    rows += [_row(name, arm, baseline) for name, arm in arms.items()]
    said = [f"- **{NAMES.get(n, n)}** {verdict(n, a, baseline)}." for n, a in arms.items()]
    head = (
        f"{result['prompts']} prompts, {seeds} seeds, {result['eval_pairs']} evaluation pairs "
        f"per seed. Target q = {result['target']:.3f}: "
        f"{result['target_share']:.0%} of the way from random's accuracy after its first "
        f"labels ({result['start']:.3f}) to the ceiling, the oracle's final accuracy "
        f"({result['ceiling']:.3f}). The length rule (the longer response wins, no labels "
        f"at all) scores {result['length_accuracy']:.3f} on the same evaluation pairs."
    )
    notes = caveats(result)
    return [head, "", *([" ".join(notes), ""] if notes else []), *rows, "", *said]


def _row(name: str, arm: dict, baseline: str) -> str:
    at = " / ".join(_num(accuracy_at(arm, n)) for n in SHOWN_AT)
    saved = "0 (baseline)" if name == baseline else (
        f"{_num(arm.get('saved_labels'), '+.2f')} {_interval(arm.get('saved_labels_ci'))}"
    )  # fmt: skip
    seconds = "0" if name == baseline else (
        f"{_num(arm.get('saved_seconds'), '+.2f')} {_interval(arm.get('saved_seconds_ci'))}"
    )  # fmt: skip
    return (
        f"| {NAMES.get(name, name)} | {at} | {_num(arm['accuracy'][-1])} "
        f"({arm['labels']:.0f}) | {_num(arm.get('labels_to_target'), '.0f')} | {saved} | "
        f"{seconds} | {_num(arm['uninformative_rate'], '.2f')} | "
        f"{_num(arm['label_error'], '.2f')} |"
    )


def replace_section(document: str, text: str) -> str:
    """The document with its evidence section replaced by `text`; an error if it has none."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(document):
        raise ValueError(f"the document has no evidence section (a line {START!r} … {END!r})")
    return pattern.sub(lambda _m: text, document, count=1)
