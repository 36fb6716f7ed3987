"""Which benchmark column names look like numbers *about* a measurement rather than scores."""

from __future__ import annotations

import re

COUNT_WORDS = frozenset({"n", "num", "number", "count", "counts"})
ERROR_WORDS = frozenset({"se", "stderr", "std", "sd", "err", "error", "errors"})
LENGTH_WORDS = frozenset({"length", "len", "tokens", "chars", "characters", "words"})

WHY_COUNT = "looks like a count: how many samples were measured, not how good the model is"
WHY_ERROR = (
    "looks like a standard error or spread: how uncertain a score is, not the score "
    "(a model would look stronger for being measured less precisely)"
)
WHY_LENGTH = (
    "looks like a length: how long the model's answers are, not how good they are "
    "(a model would look stronger for being wordier)"
)


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def not_competency_reason(name: str) -> str | None:
    """Why column `name` is probably not a competency, or None when nothing suggests so.

    Names are judged by their first and last words, where "n_", "_count", "_se" and "avg_length"
    put them; a word inside the name ("length_controlled_winrate") qualifies a score instead.
    """
    words = _words(name)
    if not words:
        return None
    first, last = words[0], words[-1]
    if first in COUNT_WORDS or last in COUNT_WORDS:
        return WHY_COUNT
    if last in ERROR_WORDS or first in ERROR_WORDS - {"err", "error", "errors"}:
        return WHY_ERROR
    if last in LENGTH_WORDS:
        return WHY_LENGTH
    return None


def vector_warnings(columns: list[str] | tuple[str, ...]) -> list[str]:
    """One sentence per benchmark column that looks like a count, an error or a length."""
    return [
        f"benchmark column {column!r} {reason}"
        for column in columns
        if (reason := not_competency_reason(column))
    ]
