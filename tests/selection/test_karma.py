from __future__ import annotations

import numpy as np
import pytest

from selection.karma import buckets, kinship_matrix, normalise, pool_version, quality

# Three models, two benchmarks; model C has no score on the second benchmark.
TABLE = np.array([[10.0, 2.0], [30.0, 6.0], [20.0, np.nan]])


def test_columns_are_min_max_normalised_and_a_missing_value_takes_the_column_mean():
    # Column 2: mean of (2, 6) = 4 → normalised (4 - 2) / (6 - 2) = 0.5.
    expected = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.5]])
    assert normalise(TABLE) == pytest.approx(expected)


def test_q_is_the_mean_normalised_score():
    assert quality(normalise(TABLE)) == pytest.approx([0.0, 1.0, 0.5])


def test_kinship_is_the_cosine_of_normalised_vectors():
    kin = kinship_matrix(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]))
    assert kin[0, 1] == pytest.approx(1 / np.sqrt(2))
    assert kin[0, 2] == pytest.approx(0.0)
    assert kin[1, 1] == pytest.approx(1.0)


def test_with_one_column_kinship_is_closeness_of_q():
    kin = kinship_matrix(normalise(np.array([[1.0], [3.0], [2.0]])))
    assert kin[0, 1] == pytest.approx(0.0)
    assert kin[0, 2] == pytest.approx(0.5)


def test_buckets_split_by_quantiles_weakest_first():
    # Sorted: 0.1 0.2 | 0.3 0.5 | 0.7 0.9 — two models per bucket.
    assert buckets(np.array([0.1, 0.9, 0.5, 0.3, 0.7, 0.2]), 3).tolist() == [0, 2, 1, 1, 2, 0]
    assert buckets(np.array([0.4, 0.6]), 1).tolist() == [0, 0]


def test_the_pool_version_changes_with_the_pool():
    a = pool_version({"m1": {"q": 1.0}, "m2": {"q": 2.0}})
    assert a == pool_version({"m2": {"q": 2.0}, "m1": {"q": 1.0}})
    assert a != pool_version({"m1": {"q": 1.0}, "m2": {"q": 2.5}})
