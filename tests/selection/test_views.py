from __future__ import annotations

import pytest
from django.urls import reverse

from selection.models import SelectionRun
from tests.factories import PairFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db
URL = reverse("selection_runs", args=["demo"])


def test_the_lead_sees_runs_arms_and_a_score_histogram(client, lead, project):
    PairFactory(project=project, arm="dissimilar")
    histogram = {"edges": [0.1, 0.2, 0.3], "counts": [2, 5]}
    SelectionRun.objects.create(
        project=project,
        strategy="dissimilar",
        arm="dissimilar",
        status="done",
        progress=1,
        counts={"pairs_created": 1, "score_histogram": histogram},
    )
    client.force_login(lead)
    page = client.get(URL).content.decode()
    assert '<svg class="histogram"' in page
    assert "<td>dissimilar</td>" in page
    assert 'hx-get="' + URL in page
    assert "REAL (arXiv 2409.17169)" in page


def test_with_htmx_only_the_live_part_comes_back(client, lead, project):
    client.force_login(lead)
    partial = client.get(URL, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="runs-live"')
    assert "Start a run" not in partial


def test_a_lead_starts_a_run_from_the_page(
    client, lead, project, django_capture_on_commit_callbacks
):
    PairFactory(project=project)
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            {
                "strategy": "random",
                "arm": "baseline",
                "weight": "2",
                "pairs_per_prompt": "1",
                "seed": "4",
            },
        )
    assert response.status_code == 302
    run = SelectionRun.objects.get()
    assert (run.arm, run.params["weight"], run.params["seed"]) == ("baseline", 2.0, 4)


def test_bad_parameters_are_refused_with_a_message(client, lead, project):
    client.force_login(lead)
    page = client.post(URL, {"strategy": "random", "pairs_per_prompt": "0"}, follow=True)
    assert "The run was not started" in page.content.decode()
    page = client.post(URL, {"strategy": "bogus"}, follow=True)
    assert "unknown strategy" in page.content.decode()
    assert not SelectionRun.objects.exists()


def test_a_failed_run_can_be_retried(client, lead, project, django_capture_on_commit_callbacks):
    error = "kinship needs model competencies"
    run = SelectionRun.objects.create(
        project=project, strategy="kinship", status="failed", error=error, params={"seed": 1}
    )
    client.force_login(lead)
    assert "kinship needs model competencies" in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("selection_retry", args=["demo", run.id]))
    run.refresh_from_db()
    assert run.status == "pending"
    assert len(callbacks) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_annotators_get_403_outsiders_404_and_anonymous_visitors_log_in(
    client, annotator, outsider, project, method
):
    client.force_login(annotator)
    assert getattr(client, method)(URL).status_code == 403
    client.force_login(outsider)
    assert getattr(client, method)(URL).status_code == 404
    client.logout()
    assert getattr(client, method)(URL).status_code == 302


def test_the_page_takes_a_bounded_number_of_queries(client, lead, project):
    def add_runs(count):
        for _ in range(count):
            arm = f"a{SelectionRun.objects.count()}"
            PairFactory(project=project, arm=arm)
            SelectionRun.objects.create(project=project, strategy="random", arm=arm, status="done")

    client.force_login(lead)
    htmx = {"HTTP_HX_REQUEST": "true"}
    assert_queries_do_not_grow(lambda: client.get(URL, **htmx), add_runs, rows=5, at_most=10)
    assert_queries_do_not_grow(lambda: client.get(URL), add_runs, rows=5)


def test_the_page_shows_the_benchmark_vector_and_warns_about_a_length_column(client, lead, project):
    from selection.models import ModelProfile

    client.force_login(lead)
    assert "No model profiles yet" in client.get(URL).content.decode()
    for name, wr in (("a", 10.0), ("b", 20.0)):
        ModelProfile.objects.create(project=project, model_name=name, competency=wr,
                                    benchmarks={"wr_koala": wr, "avg_length": 300.0})  # fmt: skip
    page = client.get(URL).content.decode()
    assert "2 model profiles" in page
    assert "<code>avg_length</code>, <code>wr_koala</code>." in page
    assert "Warning: benchmark column &#x27;avg_length&#x27; looks like a length" in page


def test_an_estimated_profile_s_vector_is_its_strength_not_the_fit_s_error_or_games(
    client, lead, project
):
    from selection.models import ModelProfile

    fit = {"bt_strength": 1.0, "bt_se": 0.2, "comparisons": 40}
    ModelProfile.objects.create(project=project, model_name="a", competency=1.0, benchmarks=fit)
    client.force_login(lead)
    page = client.get(URL).content.decode()
    assert "<code>bt_strength</code>." in page
    assert "bt_se" not in page
