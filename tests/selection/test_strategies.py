from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selection.karma import kinship_matrix, normalise, quality
from selection.strategies import STRATEGIES, PromptGroup
from selection.strategies.real import dissimilar_batch

RNG = np.random.default_rng(0)


def unit_rows(seed: int, k: int, d: int = 6) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(k, d))
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def group(seed: int, k: int, **extra) -> PromptGroup:
    return PromptGroup(7, np.arange(100, 100 + k), embeddings=unit_rows(seed, k), **extra)


def brute(matrix: np.ndarray, lowest: bool) -> tuple[int, int]:
    pairs = itertools.combinations(range(len(matrix)), 2)
    key = (lambda p: (matrix[p], p)) if lowest else (lambda p: (-matrix[p], p))
    return min(pairs, key=key)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 9))
def test_dissimilar_and_similar_match_a_brute_force_search(seed, k):
    g = group(seed, k)
    cos = g.embeddings @ g.embeddings.T
    low = STRATEGIES["dissimilar"].fn(g, pairs_per_prompt=1, rng=RNG)[0]
    high = STRATEGIES["similar"].fn(g, pairs_per_prompt=1, rng=RNG)[0]
    assert (low.i, low.j) == brute(cos, lowest=True)
    assert (high.i, high.j) == brute(cos, lowest=False)
    assert low.score == pytest.approx(cos[low.i, low.j])


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 8), n=st.integers(1, 5))
def test_several_pairs_per_prompt_are_the_n_best_distinct_pairs(seed, k, n):
    g = group(seed, k)
    cos = g.embeddings @ g.embeddings.T
    got = STRATEGIES["dissimilar"].fn(g, pairs_per_prompt=n, rng=RNG)
    every = sorted(itertools.combinations(range(k), 2), key=lambda p: (cos[p], p))
    assert [(c.i, c.j) for c in got] == every[:n]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 20), k=st.integers(2, 8))
def test_the_vectorised_dissimilar_agrees_with_the_per_prompt_one(seed, p, k):
    x = np.stack([unit_rows(seed + i, k) for i in range(p)])
    rows, cols, scores = dissimilar_batch(x)
    for i in range(p):
        one = STRATEGIES["dissimilar"].fn(group(seed + i, k), pairs_per_prompt=1, rng=RNG)[0]
        assert (rows[i], cols[i]) == (one.i, one.j)
        assert scores[i] == pytest.approx(one.score)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 9), b=st.integers(1, 4))
def test_kinship_picks_the_most_kin_model_pair(seed, k, b):
    comp = normalise(np.random.default_rng(seed).random((k, b)))
    g = PromptGroup(1, np.arange(k), competencies=comp)
    best = STRATEGIES["kinship"].fn(g, pairs_per_prompt=1, rng=RNG)[0]
    assert (best.i, best.j) == brute(kinship_matrix(comp), lowest=False)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 9))
def test_bucketed_pairs_stay_inside_one_bucket(seed, k):
    r = np.random.default_rng(seed)
    buckets = r.integers(0, 3, size=k)
    g = PromptGroup(1, np.arange(k), competencies=normalise(r.random((k, 2))), buckets=buckets)
    got = STRATEGIES["kinship_bucketed"].fn(g, pairs_per_prompt=3, rng=r)
    assert all(buckets[c.i] == buckets[c.j] for c in got)
    possible = sum(1 for i, j in itertools.combinations(range(k), 2) if buckets[i] == buckets[j])
    assert len(got) == min(3, possible)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 9))
def test_quality_top2_takes_the_two_best_models(seed, k):
    comp = normalise(np.random.default_rng(seed).random((k, 3)))
    got = STRATEGIES["quality_top2"].fn(PromptGroup(1, np.arange(k), competencies=comp), rng=RNG)
    top = sorted(np.argsort(-quality(comp), kind="stable")[:2].tolist())
    assert [got[0].i, got[0].j] == top


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 9), n=st.integers(1, 6))
def test_random_pairs_are_distinct_valid_and_seeded(seed, k, n):
    g = group(seed, k)
    a = STRATEGIES["random"].fn(g, pairs_per_prompt=n, rng=np.random.default_rng(seed))
    b = STRATEGIES["random"].fn(g, pairs_per_prompt=n, rng=np.random.default_rng(seed))
    assert a == b
    assert len({(c.i, c.j) for c in a}) == len(a) == min(n, k * (k - 1) // 2)
    assert all(0 <= c.i < c.j < k for c in a)


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_a_single_response_gives_no_pair(name):
    g = PromptGroup(1, np.array([5]), embeddings=unit_rows(1, 1),
                    competencies=np.array([[0.5]]), buckets=np.array([0]))  # fmt: skip
    assert STRATEGIES[name].fn(g, pairs_per_prompt=1, rng=RNG) == []


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_two_responses_give_that_pair(name):
    g = PromptGroup(1, np.array([5, 9]), embeddings=unit_rows(1, 2),
                    competencies=np.array([[0.5], [0.6]]), buckets=np.array([0, 0]))  # fmt: skip
    got = STRATEGIES[name].fn(g, pairs_per_prompt=1, rng=RNG)
    assert [(c.i, c.j) for c in got] == [(0, 1)]


def test_identical_texts_tie_and_the_first_pair_wins():
    same = np.tile(unit_rows(3, 1), (4, 1))
    g = PromptGroup(1, np.arange(4), embeddings=same)
    assert [(c.i, c.j) for c in STRATEGIES["dissimilar"].fn(g, rng=RNG)] == [(0, 1)]
    assert STRATEGIES["centroid"].fn(g, rng=RNG) == []


def test_centroid_pairs_one_response_from_each_cluster():
    left = np.array([[1.0, 0.0], [0.99, 0.14], [0.98, -0.2]])
    right = np.array([[0.0, 1.0], [0.1, 0.995]])
    x = np.vstack([left, right])
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    got = STRATEGIES["centroid"].fn(PromptGroup(1, np.arange(5), embeddings=x), rng=RNG)[0]
    assert got.i in (0, 1, 2)
    assert got.j in (3, 4)


def test_models_without_a_profile_never_take_part():
    comp = np.array([[np.nan], [0.9], [0.1], [0.85]])
    g = PromptGroup(1, np.arange(4), competencies=comp, buckets=np.array([-1, 1, 0, 1]))
    for name in ("kinship", "kinship_bucketed", "quality_top2"):
        got = STRATEGIES[name].fn(g, pairs_per_prompt=3, rng=RNG)
        assert got
        assert all(0 not in (c.i, c.j) for c in got), name
    assert [(c.i, c.j) for c in STRATEGIES["kinship"].fn(g, rng=RNG)] == [(1, 3)]


def test_min_kinship_keeps_only_kin_pairs():
    comp = np.array([[1.0, 0.0], [0.0, 1.0], [0.05, 1.0]])
    g = PromptGroup(1, np.arange(3), competencies=comp)
    fn = STRATEGIES["kinship"].fn
    assert [(c.i, c.j) for c in fn(g, pairs_per_prompt=3, rng=RNG, min_kinship=0.9)] == [(1, 2)]
    assert len(fn(g, pairs_per_prompt=3, rng=RNG)) == 3


def test_uncertain_picks_the_closest_rewards_and_never_reuses_a_response():
    x = np.eye(5)
    g = PromptGroup(1, np.arange(5), embeddings=x, rewards=np.array([0.0, 1.0, 1.05, 3.0, 5.0]))
    got = STRATEGIES["uncertain"].fn(g, pairs_per_prompt=2, rng=RNG)
    assert (got[0].i, got[0].j) == (1, 2)
    assert got[0].score == pytest.approx(0.05)
    # 0–1 and 2–3 are closer than 3–4, but 1 and 2 are taken: the guard picks 3–4 or 0–3.
    assert {got[1].i, got[1].j}.isdisjoint({1, 2})


def test_uncertain_without_a_fit_is_random_and_skips_near_duplicates():
    x = np.eye(4)
    x[1] = x[0]  # responses 0 and 1 say the same thing
    g = PromptGroup(1, np.arange(4), embeddings=x)
    seen = {
        (c.i, c.j)
        for seed in range(30)
        for c in STRATEGIES["uncertain"].fn(g, pairs_per_prompt=1, rng=np.random.default_rng(seed))
    }
    assert (0, 1) not in seen
    assert len(seen) >= 3


def test_uncertain_never_proposes_a_pair_already_asked():
    g = PromptGroup(1, np.arange(4), embeddings=np.eye(4), rewards=np.array([0.0, 0.1, 2.0, 2.05]),
                    asked=frozenset({(0, 1)}))  # fmt: skip
    got = STRATEGIES["uncertain"].fn(g, pairs_per_prompt=2, rng=RNG)
    assert [(c.i, c.j) for c in got][0] == (2, 3)
    assert (0, 1) not in {(c.i, c.j) for c in got}
