from __future__ import annotations

import pytest
from django.urls import reverse

from annotation.models import Label
from annotation.queue import Answer, assignment_lease, label_submit
from tests.factories import PairFactory, UserFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def detail() -> str:
    return reverse("project_detail", args=["demo"])


@pytest.fixture
def disputed(project, annotator):
    """A pair two annotators answered differently."""
    project.overlap = 2
    project.save()
    pair = PairFactory(project=project, priority=1)
    for user, choice in ((annotator, "a"), (UserFactory(username="colleague"), "b")):
        lease = assignment_lease(project=project, annotator=user)
        label_submit(
            assignment_id=lease.id, annotator=user, answer=Answer(choice, active_seconds=4)
        )
    return pair


def test_the_lead_sees_queue_people_and_disagreements(client, lead, disputed):
    client.force_login(lead)
    page = client.get(detail()).content.decode()
    assert 'id="queue-complete">1<' in page
    assert 'id="labels-today">2<' in page
    assert "annotator" in page
    assert "4.0" in page  # median active seconds
    assert reverse("adjudicate", args=["demo", disputed.id]) in page


def test_the_lead_page_takes_a_bounded_number_of_queries(client, lead, disputed):
    project = disputed.project

    def add_disputes_and_leases(count):
        """Each: a pair two new people answered differently, and a third person's live lease."""
        for _ in range(count):
            PairFactory(project=project, priority=2)
            for choice in ("a", "b"):
                person = UserFactory()
                lease = assignment_lease(project=project, annotator=person)
                label_submit(assignment_id=lease.id, annotator=person, answer=Answer(choice))
            PairFactory(project=project)
            assignment_lease(project=project, annotator=UserFactory())

    client.force_login(lead)
    assert_queries_do_not_grow(lambda: client.get(detail()), add_disputes_and_leases, at_most=16)


def test_an_annotator_sees_only_their_own_progress(client, annotator, disputed):
    client.force_login(annotator)
    page = client.get(detail()).content.decode()
    assert 'id="done-total">1<' in page
    assert "Disagreements" not in page
    assert "colleague" not in page


def test_adjudication_stores_the_leads_decision(client, lead, disputed):
    client.force_login(lead)
    url = reverse("adjudicate", args=["demo", disputed.id])
    assert client.get(url).status_code == 200
    client.post(url, {"choice": "b", "rationale": "B cites sources"})
    decision = Label.objects.get(source="adjudicated")
    assert (decision.choice, decision.annotator) == ("b", lead)
    assert (
        reverse("adjudicate", args=["demo", disputed.id])
        not in client.get(detail()).content.decode()
    )


def test_a_bad_adjudication_is_refused_with_its_field_and_stores_nothing(client, lead, disputed):
    client.force_login(lead)
    url = reverse("adjudicate", args=["demo", disputed.id])
    for data, field in [({"choice": "c"}, "choice"), ({"choice": "a", "rationale": "x\x00"},
                                                         "rationale")]:  # fmt: skip
        page = client.post(url, data, follow=True).content.decode()
        assert f"Not decided ({field}:" in page
    assert not Label.objects.filter(source="adjudicated").exists()


def test_a_lead_releases_a_live_lease(client, lead, annotator, project):
    PairFactory(project=project)
    lease = assignment_lease(project=project, annotator=annotator)
    client.force_login(lead)
    client.post(reverse("lease_release", args=["demo", lease.id]))
    lease.refresh_from_db()
    assert lease.state == "released"


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("members", ["demo"], "get"),
        ("members", ["demo"], "post"),
        ("adjudicate", ["demo", 1], "get"),
        ("lease_release", ["demo", 1], "post"),
    ],
)
def test_lead_pages_refuse_annotators_and_hide_from_outsiders(
    client, lead, annotator, outsider, name, args, method
):
    url = reverse(name, args=args)
    client.force_login(annotator)
    assert getattr(client, method)(url).status_code == 403
    client.force_login(outsider)
    assert getattr(client, method)(url).status_code == 404
    client.logout()
    assert getattr(client, method)(url).status_code == 302


def test_home_lists_only_my_projects_with_my_counts(client, annotator, disputed):
    client.force_login(annotator)
    page = client.get(reverse("home")).content.decode()
    assert "Demo" in page
    assert "<td>1</td>" in page
    client.force_login(UserFactory())
    assert "Demo" not in client.get(reverse("home")).content.decode()
