from __future__ import annotations

import pytest

from selection.columns import (
    WHY_COUNT,
    WHY_ERROR,
    WHY_LENGTH,
    not_competency_reason,
    vector_warnings,
)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("n_responses", WHY_COUNT),
        ("n_in_file", WHY_COUNT),
        ("num_samples", WHY_COUNT),
        ("sample_count", WHY_COUNT),
        ("comparisonCount", WHY_COUNT),
        ("standard_error", WHY_ERROR),
        ("lc_standard_error", WHY_ERROR),
        ("win_rate_se", WHY_ERROR),
        ("stderr", WHY_ERROR),
        ("mmlu_std", WHY_ERROR),
        ("std_mmlu", WHY_ERROR),
        ("avg_length", WHY_LENGTH),
        ("mean_len", WHY_LENGTH),
        ("output_tokens", WHY_LENGTH),
        ("Length", WHY_LENGTH),
    ],
)
def test_counts_errors_and_lengths_are_recognised_by_name(name, why):
    assert not_competency_reason(name) == why


@pytest.mark.parametrize(
    "name",
    [
        "win_rate",
        "length_controlled_winrate",
        "wr_helpful_base",
        "wr_selfinstruct",
        "mmlu",
        "elo",
        "bt_strength",
        "error_rate",
        "sentence_quality",
        "",
    ],
)
def test_scores_are_not_flagged(name):
    assert not_competency_reason(name) is None


def test_warnings_name_each_flagged_column_and_say_why():
    assert vector_warnings(["win_rate", "avg_length"]) == [
        f"benchmark column 'avg_length' {WHY_LENGTH}"
    ]
