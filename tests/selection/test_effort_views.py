"""The lead's effort dashboard: figures, charts, CSV, starting computations, access."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from annotation.models import Label, Pair
from selection.effort import dashboard
from selection.models import EffortRun
from tests.factories import PairFactory, UserFactory
from tests.queries import assert_queries_do_not_grow
from tests.selection.effort_helpers import gold_pairs, gold_project

pytestmark = pytest.mark.django_db


def answer(pair, who, choice, seconds=4.0):
    return Label.objects.create(pair=pair, annotator=who, choice=choice, active_seconds=seconds)


@pytest.fixture
def labeled(project, annotator):
    """Arm `r`: two pairs answered by two people (one agreement, one not); arm `d`: a tie."""
    other = UserFactory(username="other")
    r1 = PairFactory(project=project, arm="r", strategy="random", swapped=False)
    r2 = PairFactory(project=project, arm="r", strategy="random", swapped=True,
                     is_gold=True, gold_choice="b")  # fmt: skip
    d1 = PairFactory(project=project, arm="d", strategy="dissimilar")
    answer(r1, annotator, "a", 3)
    answer(r1, other, "a", 5)
    answer(r2, annotator, "b", 7)
    answer(r2, other, "a", 9)
    answer(d1, annotator, "tie", 11)
    return project


def test_arm_figures_match_a_hand_count(labeled):
    arms = {row["arm"]: row for row in dashboard.compute(labeled)["arms"]}
    r = arms["r"]
    assert (r["labels"], r["pairs"], r["median_seconds"], r["total_seconds"]) == (4, 2, 6.0, 24)
    assert r["raw_agreement"] == 0.5
    assert r["uninformative_rate"] == 0
    assert r["gold_agreement"] == 0.5
    # r1 unswapped: a, a → left twice; r2 swapped: b → left, a → right.
    assert r["left_share"] == 0.75
    assert arms["d"]["uninformative_rate"] == 1.0
    # Each factory pair has its own prompt with two responses: one candidate per prompt.
    assert r["candidate_reduction"] == pytest.approx(1 - 2 / 3)
    assert arms["d"]["alpha"] is None


def test_annotator_figures_include_gold_and_majority_agreement(labeled):
    people = {row["annotator"]: row for row in dashboard.compute(labeled)["annotators"]}
    assert people["annotator"]["labels"] == 3
    assert people["annotator"]["gold_accuracy"] == 1.0
    assert people["other"]["gold_accuracy"] == 0.0
    assert people["annotator"]["majority_agreement"] == 0.5


def test_the_lead_sees_tables_and_charts(client, lead, labeled):
    client.force_login(lead)
    page = client.get(reverse("effort", args=["demo"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="arm-table"' in body
    assert 'id="annotator-table"' in body
    assert body.count('<svg class="chart"') == 2  # seconds per label, labels over time
    assert "No simulation yet" in body


def test_with_htmx_only_the_live_part_comes_back(client, lead, labeled):
    client.force_login(lead)
    page = client.get(reverse("effort", args=["demo"]), headers={"HX-Request": "true"})
    body = page.content.decode()
    assert body.lstrip().startswith('<div id="effort-live"')
    assert "<html" not in body


def test_annotators_get_403_outsiders_404_and_anonymous_visitors_log_in(
    client, annotator, outsider, project
):
    urls = [reverse("effort", args=["demo"]), reverse("effort_csv", args=["demo", "arms"])]
    for url in urls:
        assert client.get(url).status_code == 302
        client.force_login(annotator)
        assert client.get(url).status_code == 403
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        client.logout()
    client.force_login(annotator)
    assert client.post(reverse("effort_start", args=["demo"])).status_code == 403


def test_the_dashboard_takes_a_bounded_number_of_queries(client, lead, labeled):
    from django.core.cache import cache

    url = reverse("effort", args=["demo"])

    def add_arms_and_people(count):
        for _ in range(count):
            pair = PairFactory(project=labeled, arm=f"extra-{Pair.objects.count()}")
            answer(pair, UserFactory(), "a")
            PairFactory(project=labeled, arm="extra")

    def computed():
        cache.clear()
        return client.get(url)

    def add_then_look(count):
        add_arms_and_people(count)
        client.get(url)

    def live_part():
        return client.get(url, headers={"HX-Request": "true"})

    client.force_login(lead)
    assert_queries_do_not_grow(computed, add_arms_and_people, rows=5, at_most=15)
    # Nothing changed since the last look: the figures come from the cache, behind one version
    # query.
    assert_queries_do_not_grow(live_part, add_then_look, rows=5, at_most=10)


def test_every_table_downloads_as_csv(client, lead, labeled):
    client.force_login(lead)
    arms = client.get(reverse("effort_csv", args=["demo", "arms"]))
    assert arms["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(arms.content.decode())))
    assert {r["arm"]: r["labels"] for r in rows} == {"d": "1", "r": "4"}
    people = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("effort_csv", args=["demo", "annotators"])).content.decode()
            )
        )
    )
    assert people[0][:2] == ["annotator", "labels"]
    assert len(people) == 3
    assert client.get(reverse("effort_csv", args=["demo", "nope"])).status_code == 404


def test_a_lead_starts_a_simulation_and_sees_its_curves(
    client, lead, project, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    gold_project(project, tmp_path)
    client.force_login(lead)
    form = {"kind": "simulation", "strategies": ["random", "dissimilar"], "seeds": "2",
            "boot": "20"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("effort_start", args=["demo"]), form)
    page = client.get(reverse("effort", args=["demo"]))
    run = EffortRun.objects.get()
    assert run.status == "done", run.error
    assert run.params["strategies"] == ["random", "dissimilar"]
    body = page.content.decode()
    assert "learning curves" in body
    assert "effort saved against random" in body
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("effort_csv", args=["demo", "simulation"])).content.decode()
            )
        )
    )
    assert [r["arm"] for r in rows] == ["random", "dissimilar"]  # fmt: skip
    curves = client.get(reverse("effort_csv", args=["demo", "curves"])).content.decode()
    assert curves.splitlines()[0] == "arm,labels,accuracy"


def test_bad_simulation_input_is_refused_with_a_message(client, lead, project):
    client.force_login(lead)
    page = client.post(reverse("effort_start", args=["demo"]),
                       {"kind": "simulation", "seeds": "-1"}, follow=True)  # fmt: skip
    assert "Not started: seeds: must be between 1 and 100" in page.content.decode()
    assert not EffortRun.objects.exists()


def test_an_active_run_polls_its_status_and_the_page_refreshes_when_it_ends(client, lead, project):
    run = EffortRun.objects.create(project=project, kind="simulation", status="running",
                                   progress=0.4, stage="simulating annotators")  # fmt: skip
    client.force_login(lead)
    body = client.get(reverse("effort", args=["demo"])).content.decode()
    status = reverse("job_status", args=["demo", "effort", run.id])
    assert f'hx-get="{status}" hx-trigger="every 1s"' in body
    assert "simulating annotators" in body
    assert 'hx-trigger="every 10s, job-finished from:body"' in body
    assert Pair.objects.count() == 0


def test_throughput_counts_labels_per_hour_and_per_day(labeled):
    from datetime import UTC, datetime, timedelta

    from django.core.cache import cache

    base = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    labels = list(Label.objects.order_by("id"))
    for label, hours in zip(labels, [0, 0, 1, 3, 3], strict=True):
        Label.objects.filter(id=label.id).update(created_at=base + timedelta(hours=hours))
    series = dashboard.compute(labeled)["throughput"]
    assert series == {"unit": "hour", "start": "2026-03-01 09:00", "counts": [2, 1, 0, 2]}
    Label.objects.filter(id=labels[-1].id).update(created_at=base + timedelta(days=2))
    cache.clear()  # the app never edits created_at, so the cached columns cannot know
    series = dashboard.compute(labeled)["throughput"]
    assert (series["unit"], series["counts"]) == ("day", [4, 0, 1])


def test_cached_answers_follow_new_undone_and_gold_changes_exactly(labeled, annotator):
    from django.core.cache import cache
    from django.utils import timezone

    from selection.effort import answers

    def fresh():
        cache.clear()
        return dashboard.compute(labeled)

    dashboard.figures(labeled)  # fills the cache
    newcomer = UserFactory(username="newcomer")
    answer(Pair.objects.get(arm="d"), newcomer, "b", 2)
    assert dashboard.figures(labeled) == fresh()
    dashboard.figures(labeled)
    Label.objects.filter(annotator=annotator, pair__arm="r").update(superseded_at=timezone.now())
    updated = dashboard.figures(labeled)
    assert updated["labels"] == 4
    assert updated == fresh()
    dashboard.figures(labeled)
    Pair.objects.filter(arm="d").update(is_gold=True, gold_choice="b")
    assert dashboard.figures(labeled) == fresh()
    assert len(answers.current(labeled)) == 4


def effort_csv_rows(client, table: str) -> dict[str, dict]:
    body = client.get(reverse("effort_csv", args=["demo", table])).content.decode()
    return {row["arm"]: row for row in csv.DictReader(io.StringIO(body))}


def live_result(labels: int, eval_pairs: int) -> dict:
    """A live run's result as stored before minimums existed: figures from any sample."""
    figures = {"labels": labels, "sizes": [labels], "accuracy": [0.8], "labels_to_target": 2.0,
               "seconds_to_target": 10.0, "saved_labels": 0.8, "saved_labels_ci": [0.8, 0.83],
               "saved_seconds": 0.7, "saved_seconds_ci": [None, 0.75],
               "reached_share": 1.0}  # fmt: skip
    base = figures | {"saved_labels": 0.0, "saved_labels_ci": [0.0, 0.0]}
    return {"arms": {"r": base, "d": figures}, "baseline": "r", "target": 0.7,
            "eval_pairs": eval_pairs}  # fmt: skip


def test_a_live_run_from_two_labels_says_so_instead_of_a_figure(
    client, lead, project, tmp_path, eager_tasks, django_capture_on_commit_callbacks
):
    gold_project(project, tmp_path, prompts=8)
    gold_pairs(project, 3, per_prompt=4)
    for arm, strategy in (("base", "random"), ("other", "dissimilar")):
        for prompt in project.prompts.order_by("id")[3:5]:
            a, b = list(prompt.responses.order_by("id"))[:2]
            pair = Pair.objects.create(project=project, prompt=prompt, response_a=a,
                                       response_b=b, arm=arm, strategy=strategy)  # fmt: skip
            answer(pair, UserFactory(), "a")
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("effort_start", args=["demo"]), {"kind": "live"})
    assert EffortRun.objects.get().status == "done"
    body = client.get(reverse("effort", args=["demo"])).content.decode()
    live = body[body.index('id="live-result"') :]
    assert "not enough labels yet: 2 of 20; evaluation pairs: 12 of 30" in live
    assert " to " not in live.split("<tbody>")[1].split("</tbody>")[0]  # no interval in the table
    rows = effort_csv_rows(client, "live")
    assert rows["other"]["saved_labels"].startswith("not enough labels yet: 2 of 20")
    assert rows["other"]["saved_labels_ci"] == rows["other"]["saved_seconds_ci"] == ""
    assert rows["other"]["labels_to_target"] == ""


def test_a_run_stored_before_the_minimums_shows_no_figure_from_too_few_labels(
    client, lead, project
):
    EffortRun.objects.create(project=project, kind="live", status="done",
                             result=live_result(labels=2, eval_pairs=11))  # fmt: skip
    client.force_login(lead)
    body = client.get(reverse("effort", args=["demo"])).content.decode()
    live = body[body.index('id="live-result"') :]
    assert "not enough labels yet: 2 of 20; evaluation pairs: 11 of 30" in live
    assert "0.80 to 0.83" not in live
    assert "+80%" not in live  # nor drawn as a saving
    assert effort_csv_rows(client, "live")["d"]["saved_labels_ci"] == ""


def test_a_run_with_enough_labels_shows_its_saving_and_interval(client, lead, project):
    EffortRun.objects.create(project=project, kind="live", status="done",
                             result=live_result(labels=40, eval_pairs=30))  # fmt: skip
    client.force_login(lead)
    body = client.get(reverse("effort", args=["demo"])).content.decode()
    live = body[body.index('id="live-result"') :]
    assert "not enough" not in live
    assert "0.80 to 0.83" in live
    assert "+80% (+80% to +83%)" in live  # the savings chart's figure
    assert "−∞ to +75%" in live  # seconds: an interval open below
    rows = effort_csv_rows(client, "live")
    assert (rows["d"]["saved_labels"], rows["d"]["saved_labels_ci"]) == ("0.8", "0.8000 to 0.8300")
    assert rows["d"]["saved_seconds_ci"] == "-inf to 0.7500"
