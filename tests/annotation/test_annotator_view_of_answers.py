"""One meaning of left and right where annotators look, stored order named plainly for leads,
and the annotate page's queue progress and undo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotation.models import Label
from tests.factories import PairFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def annotate_url(action: str = "") -> str:
    return reverse(f"annotate_{action}" if action else "annotate", args=["demo"])


@pytest.fixture
def swapped_pair(project):
    """A pair whose response 2 is shown on the left."""
    return PairFactory(project=project, swapped=True)


def test_an_annotator_s_progress_shows_the_side_they_pressed_on_a_swapped_pair(
    client, annotator, swapped_pair
):
    client.force_login(annotator)
    client.get(annotate_url())
    lease = annotator.assignments.get(state="active")
    client.post(annotate_url("submit"), {"assignment": lease.id, "choice": "left"})
    label = Label.objects.get(annotator=annotator)
    assert label.choice == "b"  # the left side showed response 2
    page = client.get(reverse("project_detail", args=["demo"])).content.decode()
    assert "A (left) is better" in page
    assert "B (right)" not in page
    assert "Response 2" not in page


def test_a_lead_sees_answers_in_stored_order_named_as_responses(
    client, lead, annotator, swapped_pair
):
    Label.objects.create(pair=swapped_pair, annotator=annotator, choice="b")
    client.force_login(lead)
    page = client.get(reverse("project_detail", args=["demo"])).content.decode()
    assert "Response 2 is better" in page
    assert "B is better" not in page


def test_adjudication_hides_model_names_until_the_lead_reveals_them(client, lead, swapped_pair):
    names = (swapped_pair.response_a.model_name, swapped_pair.response_b.model_name)
    client.force_login(lead)
    url = reverse("adjudicate", args=["demo", swapped_pair.id])
    blind = client.get(url).content.decode()
    assert not any(name in blind for name in names)
    assert "Response 1" in blind
    assert "Response 2" in blind
    assert "response 2 on the left" in blind
    revealed = client.get(url, {"reveal": "models"}).content.decode()
    assert all(name in revealed for name in names)


def test_an_adjudication_button_decides_in_stored_order(client, lead, swapped_pair):
    client.force_login(lead)
    url = reverse("adjudicate", args=["demo", swapped_pair.id])
    assert "Response 2 better" in client.get(url).content.decode()
    client.post(url, {"choice": "b"})
    assert Label.objects.get(source="adjudicated").choice == "b"


def test_the_annotate_page_shows_what_is_left_in_the_queue_and_updates_it(
    client, annotator, project, settings
):
    settings.QUEUE_COUNTS_MAX_AGE = 0
    for _ in range(4):
        PairFactory(project=project)
    PairFactory(project=project, status="complete")
    client.force_login(annotator)
    page = client.get(annotate_url()).content.decode()
    assert '<strong id="queue-open">4</strong>' in page
    assert '<span id="queue-percent">20</span>%' in page
    assert 'id="queue-progress" max="100" value="20"' in page
    lease = annotator.assignments.get(state="active")
    after = client.post(annotate_url("submit"), {"assignment": lease.id, "choice": "tie"}, **HTMX)
    assert '<strong id="queue-open">3</strong>' in after.content.decode()
    assert '<span id="queue-percent">40</span>%' in after.content.decode()


@pytest.mark.parametrize("htmx", [HTMX, {}], ids=["htmx", "plain"])
def test_undo_says_undone_and_gives_back_the_rationale_and_strength(
    client, annotator, project, htmx
):
    for _ in range(2):
        PairFactory(project=project)
    client.force_login(annotator)
    client.get(annotate_url())
    lease = annotator.assignments.get(state="active")
    answer = {"assignment": lease.id, "choice": "left", "rationale": "cites <a source>",
              "strength": "2"}  # fmt: skip
    client.post(annotate_url("submit"), answer, **HTMX)
    page = client.post(annotate_url("undo"), follow=True, **htmx).content.decode()
    assert "Undone: your last answer was withdrawn" in page
    assert ">cites &lt;a source&gt;</textarea>" in page
    assert 'value="2" checked' in page
    # Shown once: the next page starts empty again.
    again = client.get(annotate_url(), **HTMX).content.decode()
    assert "></textarea>" in again
    assert "Undone" not in again


def test_nothing_to_undo_is_said_as_a_warning(client, annotator, project):
    PairFactory(project=project)
    client.force_login(annotator)
    page = client.post(annotate_url("undo"), **HTMX).content.decode()
    assert 'class="error"' in page
    assert "Nothing to undo" in page
