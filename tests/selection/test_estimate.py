from __future__ import annotations

import numpy as np
import pytest

from annotation.models import Label
from selection.estimate import competency_estimate
from selection.models import ModelProfile
from tests.factories import PairFactory, PromptFactory, ResponseFactory

pytestmark = pytest.mark.django_db
# True strengths: strong beats mid beats weak, with some upsets.
TRUE = {"strong": 2.0, "mid": 0.0, "weak": -2.0}


def test_bradley_terry_recovers_the_order_of_models_from_labels(project):
    rng = np.random.default_rng(0)
    names = list(TRUE)
    for _ in range(150):
        a, b = sorted(rng.choice(3, size=2, replace=False))
        prompt = PromptFactory(project=project)
        ra = ResponseFactory(prompt=prompt, model_name=names[a])
        rb = ResponseFactory(prompt=prompt, model_name=names[b])
        pair = PairFactory(project=project, prompt=prompt, response_a=ra, response_b=rb)
        p_a = 1 / (1 + np.exp(TRUE[names[b]] - TRUE[names[a]]))
        Label.objects.create(
            pair=pair, source="imported", choice="a" if rng.random() < p_a else "b"
        )
    assert competency_estimate(project=project, boot=10) == 3
    got = {p.model_name: p for p in ModelProfile.objects.all()}
    assert got["strong"].competency > got["mid"].competency > got["weak"].competency
    assert all(p.source == "estimated" for p in got.values())
    assert all(0 < p.benchmarks["bt_se"] < 1.5 for p in got.values())
    assert got["mid"].benchmarks["comparisons"] == sum(
        1 for label in Label.objects.all() if "mid" in (label.pair.response_a.model_name,
                                                        label.pair.response_b.model_name)
    )  # fmt: skip


def test_without_decisive_labels_nothing_is_estimated(project):
    pair = PairFactory(project=project)
    Label.objects.create(pair=pair, source="imported", choice="tie")
    assert competency_estimate(project=project) == 0
    assert not ModelProfile.objects.exists()
