from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotation.models import Assignment, Label, Response
from annotation.prerender import responses_render
from annotation.rendering import html_key
from tests.factories import PairFactory, ResponseFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def pairs(project):
    return [PairFactory(project=project, priority=1 - i / 10) for i in range(3)]


def annotate_url(action: str = "") -> str:
    name = f"annotate_{action}" if action else "annotate"
    return reverse(name, args=["demo"])


def lease_of(user) -> Assignment:
    return Assignment.objects.get(annotator=user, state="active")


def test_the_annotate_page_shows_the_pair_the_legend_and_the_guidelines(client, annotator, pairs):
    pairs[0].project.guidelines = "Prefer **honest** answers."
    pairs[0].project.save()
    client.force_login(annotator)
    page = client.get(annotate_url()).content.decode()
    assert pairs[0].prompt.text in page
    assert "<strong>honest</strong>" in page
    assert "Keyboard shortcuts" in page
    assert f'value="{lease_of(annotator).id}"' in page


def test_with_htmx_only_the_workbench_partial_comes_back(client, annotator, pairs):
    client.force_login(annotator)
    partial = client.get(annotate_url(), **HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="workbench"')
    assert "<html" not in partial


def test_a_plain_form_post_saves_the_label_and_redirects(client, annotator, pairs):
    client.force_login(annotator)
    client.get(annotate_url())
    lease = lease_of(annotator)
    data = {"assignment": lease.id, "choice": "left", "active_seconds": "2.5", "strength": "2"}
    response = client.post(annotate_url("submit"), data)
    assert response.status_code == 302
    assert response["Location"] == annotate_url()
    label = Label.objects.get(annotator=annotator)
    assert (label.active_seconds, label.strength) == (2.5, 2)
    assert label.choice == ("b" if lease.pair.swapped else "a")


def test_an_htmx_post_returns_the_next_pair_and_the_new_count(client, annotator, pairs):
    client.force_login(annotator)
    client.get(annotate_url())
    first = lease_of(annotator)
    partial = client.post(
        annotate_url("submit"), {"assignment": first.id, "choice": "right"}, **HTMX
    ).content.decode()
    second = lease_of(annotator)
    assert second.pair != first.pair
    assert f'value="{second.id}"' in partial
    assert '<strong id="done-total">1</strong>' in partial


def test_a_double_click_saves_one_label(client, annotator, pairs):
    client.force_login(annotator)
    client.get(annotate_url())
    data = {"assignment": lease_of(annotator).id, "choice": "tie"}
    client.post(annotate_url("submit"), data, **HTMX)
    client.post(annotate_url("submit"), data, **HTMX)
    assert Label.objects.filter(annotator=annotator).count() == 1


def counts_and_lease(partial: str) -> tuple[str, str]:
    total = re.search(r'id="done-total">(\d+)<', partial).group(1)
    return total, re.search(r'data-assignment="(\d*)"', partial).group(1)


def test_an_htmx_double_click_keeps_the_count_and_the_next_pair(client, annotator, pairs):
    client.force_login(annotator)
    client.get(annotate_url())
    data = {"assignment": lease_of(annotator).id, "choice": "tie"}
    first = client.post(annotate_url("submit"), data, **HTMX).content.decode()
    again = client.post(annotate_url("submit"), data, **HTMX)
    assert again.status_code == 200
    assert counts_and_lease(again.content.decode()) == counts_and_lease(first)
    assert counts_and_lease(first) == ("1", str(lease_of(annotator).id))
    assert Assignment.objects.filter(annotator=annotator).count() == 2


def test_an_htmx_answer_to_someone_else_s_lease_is_refused_and_saves_nothing(
    client, annotator, lead, pairs
):
    client.force_login(annotator)
    client.get(annotate_url())
    theirs = lease_of(annotator)
    client.force_login(lead)
    response = client.post(
        annotate_url("submit"), {"assignment": theirs.id, "choice": "left"}, **HTMX
    )
    assert response.status_code == 400
    assert "not leased to you" in response.content.decode()
    # The lead's own page came back with it, and the annotator's lease is untouched.
    assert counts_and_lease(response.content.decode()) == ("0", str(lease_of(lead).id))
    assert lease_of(annotator) == theirs
    assert not Label.objects.exists()


def test_answering_the_last_pair_by_htmx_says_no_more_with_the_count(client, annotator, project):
    PairFactory(project=project)
    client.force_login(annotator)
    client.get(annotate_url())
    data = {"assignment": lease_of(annotator).id, "choice": "left"}
    partial = client.post(annotate_url("submit"), data, **HTMX).content.decode()
    assert "No more pairs" in partial
    assert counts_and_lease(partial) == ("1", "")
    assert "1</strong> pair this session" in partial


def test_a_bad_answer_is_refused_with_a_reason_and_keeps_the_lease(client, annotator, pairs):
    client.force_login(annotator)
    client.get(annotate_url())
    lease = lease_of(annotator)
    response = client.post(annotate_url("submit"), {"assignment": lease.id, "choice": "maybe"})
    assert response.status_code == 400
    assert "not saved" in response.content.decode()
    assert lease_of(annotator) == lease


def test_nobody_can_answer_someone_elses_lease(client, annotator, lead, pairs):
    client.force_login(annotator)
    client.get(annotate_url())
    client.force_login(lead)
    response = client.post(
        annotate_url("submit"), {"assignment": lease_of(annotator).id, "choice": "left"}
    )
    assert response.status_code == 400
    assert not Label.objects.exists()


def test_undo_brings_the_last_pair_back(client, annotator, pairs):
    client.force_login(annotator)
    client.get(annotate_url())
    first = lease_of(annotator)
    client.post(annotate_url("submit"), {"assignment": first.id, "choice": "left"})
    client.post(annotate_url("undo"), **HTMX)
    assert lease_of(annotator).pair == first.pair
    assert Label.objects.live().count() == 0


def test_an_empty_queue_says_so_with_the_session_total(client, annotator, project):
    client.force_login(annotator)
    page = client.get(annotate_url()).content.decode()
    assert "No more pairs" in page
    assert "0</strong> pairs this session" in page


@pytest.mark.parametrize("htmx", [{}, HTMX], ids=["full page", "htmx partial"])
def test_model_output_is_sanitised_on_the_page(client, annotator, project, htmx):
    pair = PairFactory(project=project)
    evil = "<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    ResponseFactory._meta.model.objects.filter(id=pair.response_a_id).update(text=evil)
    pair.prompt.text = "Compare <b>these</b> & <script>alert(4)</script>"
    pair.prompt.save()
    client.force_login(annotator)
    page = client.get(annotate_url(), **htmx).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert 'href="javascript:' not in page
    assert "<img" not in page
    assert "<b>these" not in page
    assert "<script>alert(4)" not in page
    assert "Compare &lt;b&gt;these&lt;/b&gt; &amp; &lt;script&gt;alert(4)" in page


def test_the_swapped_part_carries_the_csrf_field_its_forms_post_with(annotator, pairs):
    client = Client(enforce_csrf_checks=True)
    client.force_login(annotator)
    partial = client.get(annotate_url(), **HTMX).content.decode()
    # Both forms (answer and undo) post on their own, whatever swapped them in.
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', partial)
    assert len(tokens) == 2
    data = {"assignment": lease_of(annotator).id, "choice": "tie"}
    assert client.post(annotate_url("submit"), data, **HTMX).status_code == 403
    data["csrfmiddlewaretoken"] = tokens[0]
    answered = client.post(annotate_url("submit"), data, **HTMX)
    assert answered.status_code == 200
    assert Label.objects.filter(annotator=annotator, choice="tie").count() == 1


def test_outsiders_get_404_and_anonymous_visitors_log_in(client, outsider, pairs):
    client.force_login(outsider)
    assert client.get(annotate_url()).status_code == 404
    assert client.post(annotate_url("submit"), {}).status_code == 404
    client.logout()
    assert client.get(annotate_url())["Location"].startswith(reverse("login"))


# Queries per page view and per answer (with the next pair). Both start with the session and
# the user, then the membership with its project. A page view: the live lease, then the counts
# and the pair in one statement. An answer, in one transaction: the lock, the label, the lease
# state and the pair status, then the next lease (live lease, candidates, insert); then the
# counts and the pair. Inside a test's transaction each block adds a savepoint.
QUERIES = (5, 13)


def test_the_annotate_page_takes_a_bounded_number_of_queries(client, annotator, project, pairs):
    leases, answers = [], []

    def add_pairs(count):
        for _ in range(count):
            PairFactory(project=project, priority=0)
        responses_render(project_id=project.id)  # as a worker does ahead of the annotators
        leases.append(lease_of(annotator))

    def page():
        return client.get(annotate_url(), **HTMX)

    def answer():
        data = {"assignment": leases[-1].id, "choice": "left"}
        answers.append(client.post(annotate_url("submit"), data, **HTMX))
        return answers[-1]

    client.force_login(annotator)
    client.get(annotate_url())
    page_view, answer_and_next = QUERIES
    assert_queries_do_not_grow(page, add_pairs, at_most=page_view)
    assert_queries_do_not_grow(answer, add_pairs, at_most=answer_and_next)
    # The answer's page brings the next lease.
    assert lease_of(annotator).id != leases[-1].id
    assert f'value="{lease_of(annotator).id}"' in answers[-1].content.decode()


def test_a_response_is_rendered_once_stored_and_rendered_again_when_its_text_changes(
    client, annotator, pairs
):
    client.force_login(annotator)
    client.get(annotate_url(), **HTMX)
    shown = lease_of(annotator).pair
    sides = [shown.response_a_id, shown.response_b_id]
    stored = Response.objects.get(id=sides[0])
    assert stored.html_key == html_key(stored.text)
    assert stored.html.startswith("<p>")
    assert stored.text in stored.html
    # The page shows what is stored while the key matches ...
    Response.objects.filter(id=sides[0]).update(html="<p>from the store</p>")
    assert "from the store" in client.get(annotate_url(), **HTMX).content.decode()
    # ... and renders again once the text no longer matches the key.
    Response.objects.filter(id=sides[0]).update(text="An **edited** answer.")
    page = client.get(annotate_url(), **HTMX).content.decode()
    assert "from the store" not in page
    assert "<strong>edited</strong>" in page
    assert Response.objects.get(id=sides[0]).html_key == html_key("An **edited** answer.")


def test_a_worker_s_pass_renders_the_open_pairs_only_and_a_second_pass_nothing(project, pairs):
    from annotation.models import Pair

    done = PairFactory(project=project, status="done")
    assert responses_render(project_id=project.id, batch=4) == 2 * len(pairs)
    assert responses_render(project_id=project.id) == 0
    rendered = Response.objects.filter(html_key__isnull=False)
    assert set(rendered.values_list("id", flat=True)) == {
        r for p in Pair.objects.filter(status="open") for r in (p.response_a_id, p.response_b_id)
    }
    assert not Response.objects.filter(id=done.response_a_id, html_key__isnull=False).exists()


def test_a_pair_added_while_an_annotator_waits_is_leased_and_shown_on_their_next_request(
    client, annotator, project
):
    client.force_login(annotator)
    assert 'id="no-more-pairs"' in client.get(annotate_url(), **HTMX).content.decode()
    pair = PairFactory(project=project)
    page = client.get(annotate_url(), **HTMX).content.decode()
    assert lease_of(annotator).pair_id == pair.id
    assert pair.prompt.text in page
