"""SPA's judges are a registry (selection/spa/judging.py): a judge added there is offered,
checked and run with no other change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from selection.models import SpaRound
from selection.spa.errors import SpaError
from selection.spa.judges.judgement import Judgement
from selection.spa.judging import JUDGES, Judge, default_judge
from selection.spa.services import spa_params, spa_round_create, spa_round_execute
from tests.selection.effort_helpers import spa_seeded

pytestmark = pytest.mark.django_db


def always_a(round_, pairs, stage):
    stage(round_, "judging", 0.0, 1.0)(1.0)
    return pairs, [Judgement(0.99, 4.0, 4.0 + i) for i, _ in enumerate(pairs)]


@pytest.fixture
def constant_judge(monkeypatch):
    monkeypatch.setitem(JUDGES, "constant", Judge(always_a, "always A (test)"))
    return "constant"


def test_a_registered_judge_is_in_the_dashboard_menu(client, lead, project, constant_judge):
    client.force_login(lead)
    page = client.get(reverse("effort", args=[project.slug])).content.decode()
    assert f'<option value="{constant_judge}">always A (test)</option>' in page


def test_a_registered_judge_runs_a_round(project, constant_judge):
    spa_seeded(project, decided=50, unlabeled=10)
    spa = spa_round_create(project=project, params={"judge": constant_judge, "audit_share": 0})
    spa = spa_round_execute(round_id=spa.id)
    assert spa.status == SpaRound.Status.DONE, spa.error
    assert spa.counts["judged"] == 10
    assert set(spa.proposals.values_list("choice", flat=True)) == {"a"}


def test_only_a_judge_that_writes_responses_may_expand(constant_judge):
    with pytest.raises(SpaError, match="expand: .* use the implicit judge"):
        spa_params({"judge": constant_judge, "expand": 2})


def test_the_default_judge_is_the_registered_one_that_suits_the_workers(settings):
    settings.SPA_GPU_WORKERS = True
    assert JUDGES[default_judge()].gpu
    settings.SPA_GPU_WORKERS = False
    assert not JUDGES[default_judge()].gpu
