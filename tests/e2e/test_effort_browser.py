from __future__ import annotations

import pytest

from annotation.models import Label, Role
from tests.e2e.conftest import log_in
from tests.factories import MembershipFactory, PairFactory, ProjectFactory, UserFactory

PASSWORD = "pw-for-tests-123"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_runs_a_simulation_from_the_dashboard_and_sees_the_charts(
    live_server, page, tmp_path, eager_tasks
):
    from tests.selection.effort_helpers import gold_project

    project = gold_project(ProjectFactory(slug="e2e-effort"), tmp_path)
    lead = UserFactory(username="boss")
    MembershipFactory(project=project, user=lead, role=Role.LEAD)
    pair = PairFactory(project=project, arm="random")
    Label.objects.create(pair=pair, annotator=lead, choice="a", active_seconds=6.0)
    log_in(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/projects/e2e-effort/")
    page.click("#effort-link")
    page.wait_for_selector("#arm-table")
    assert page.locator("#seconds-chart svg.chart").count() == 1
    others = ("similar", "centroid", "kinship", "kinship_bucketed", "quality_top2", "uncertain")
    for name in (*others, "oracle"):
        page.uncheck(f"input[name=strategies][value={name}]")
    page.fill("input[name=seeds]", "2")
    page.click("#simulate button[type=submit]")
    page.wait_for_selector("#simulation-result svg.chart", timeout=60_000)
    curves = page.locator("#simulation-result svg.chart").first
    assert "learning curves" in curves.get_attribute("aria-label")
    assert curves.locator("polyline").count() == 2  # random and dissimilar
    assert page.locator("#simulation-result table tbody tr").count() == 2
