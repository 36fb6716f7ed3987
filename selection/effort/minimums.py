"""How much data an effort figure needs before it is shown: the one place for that rule.

Below these, N(q) and effort saved are noise (a curve from 2 labels, accuracy measured on a
handful of pairs), so a run says how far it is from enough instead of printing a figure.
"""

from __future__ import annotations

MIN_LABELS = 20  # human labels in an arm, and in the random baseline it is compared with
MIN_EVAL_PAIRS = 30  # pairs with a known answer that the reward model is scored on

# Figures that describe the arm alone, and those that compare it with the baseline.
OWN_FIGURES = ("labels_to_target", "seconds_to_target")
SAVINGS = ("saved_labels", "saved_labels_ci", "saved_seconds", "saved_seconds_ci", "reached_share")


def labels_note(labels: float, minimum: int = MIN_LABELS) -> str | None:
    return f"not enough labels yet: {round(labels)} of {minimum}" if labels < minimum else None


def eval_pairs_note(pairs: float, minimum: int = MIN_EVAL_PAIRS) -> str | None:
    return f"evaluation pairs: {round(pairs)} of {minimum}" if pairs < minimum else None


def apply(
    result: dict, *, min_labels: int = MIN_LABELS, min_eval_pairs: int = MIN_EVAL_PAIRS
) -> dict:
    """The run's result with every figure that lacks data blanked, and per arm the reasons
    (`short`, empty when the arm's figures stand). Applying it twice changes nothing."""
    arms = result.get("arms") or {}
    baseline = result.get("baseline")
    eval_note = eval_pairs_note(result.get("eval_pairs") or 0, min_eval_pairs)
    base_note = _baseline_note(arms, baseline, min_labels)
    out = {}
    for name, arm in arms.items():
        own = [n for n in (labels_note(arm.get("labels") or 0, min_labels), eval_note) if n]
        short = own + ([base_note] if base_note and name != baseline else [])
        out[name] = arm | {"short": short}
        out[name] |= {key: None for key in OWN_FIGURES if own}
        out[name] |= {key: None for key in SAVINGS if short}
    minimums = {"labels": min_labels, "eval_pairs": min_eval_pairs}
    return result | {"arms": out, "minimums": minimums}


def _baseline_note(arms: dict, baseline: str | None, minimum: int) -> str | None:
    if baseline not in arms:
        return "no random arm to compare with"
    note = labels_note(arms[baseline].get("labels") or 0, minimum)
    return f"random baseline ({baseline}): {note}" if note else None
