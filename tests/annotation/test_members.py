"""The Members page: leads add people (new accounts get a one-time set-password link), change
roles, and turn access off and on again."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from annotation.models import AssignmentState, Label, Membership, Role
from annotation.queue import Answer, assignment_lease, label_submit
from tests.factories import MembershipFactory, PairFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-password-789"
LINK = re.compile(r'id="set-password-link"[^>]*value="([^"]+)"')


def members_url() -> str:
    return reverse("members", args=["demo"])


def add(client, **data):
    """Post the Add form and follow to the page the lead sees next."""
    return client.post(members_url(), {"action": "add", **data}, follow=True).content.decode()


def change(client, username: str, action: str, role: str = ""):
    data = {"username": username, "action": action, "role": role}
    return client.post(members_url(), data, follow=True)


def shown_link(page: str) -> str | None:
    found = LINK.search(page)
    return unescape(found.group(1)) if found else None


def set_password(link: str) -> Client:
    """The new person opens the link and chooses a password, in a browser of their own."""
    person = Client()
    form_page = person.get(link, follow=True)
    assert 'name="new_password1"' in form_page.content.decode()
    person.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    return person


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead)
    return client


def test_a_new_person_sets_a_password_through_the_link_then_logs_in_and_sees_the_project(
    lead_client, project
):
    page = add(lead_client, username="newbie", email="newbie@example.org")
    assert "Account newbie created and added as Annotator." in page
    link = shown_link(page)
    assert link.startswith("http://testserver/accounts/set-password/")
    user = get_user_model().objects.get(username="newbie")
    assert (user.email, user.has_usable_password()) == ("newbie@example.org", False)

    person = set_password(link)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    logged_in = person.post(
        reverse("login"), {"username": "newbie", "password": NEW_PASSWORD}, follow=True
    )
    assert logged_in.redirect_chain[-1][0] == reverse("home")
    assert reverse("project_detail", args=["demo"]) in logged_in.content.decode()
    assert person.get(reverse("annotate", args=["demo"])).status_code == 200


def test_the_set_password_link_works_only_once(lead_client, project):
    link = shown_link(add(lead_client, username="newbie"))
    set_password(link)
    again = Client().get(link, follow=True).content.decode()
    assert "This link no longer works" in again
    assert 'name="new_password1"' not in again


def test_the_link_is_shown_to_the_lead_once(lead_client, project):
    assert shown_link(add(lead_client, username="newbie")) is not None
    assert shown_link(lead_client.get(members_url()).content.decode()) is None


def test_new_people_are_annotators_unless_the_lead_picks_lead(lead_client, project):
    page = lead_client.get(members_url()).content.decode()
    add_form = page[page.index('id="add-member"') :]
    first_option = re.search(r"<option [^>]*>", add_form).group(0)
    assert first_option == '<option value="annotator" selected>'
    add(lead_client, username="plain")
    add(lead_client, username="chosen", role="lead")
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert (roles["plain"], roles["chosen"]) == (Role.ANNOTATOR, Role.LEAD)


def test_adding_an_existing_username_only_adds_the_membership(lead_client, project, outsider):
    page = add(lead_client, username="outsider", email="other@example.org")
    assert "outsider (an existing account) added as Annotator." in page
    assert shown_link(page) is None
    outsider.refresh_from_db()
    assert outsider.check_password("pw-for-tests-123")
    assert outsider.email == ""
    assert Membership.objects.get(user=outsider).role == Role.ANNOTATOR


def test_adding_a_current_member_changes_nothing_and_says_so(lead_client, annotator):
    page = add(lead_client, username="annotator", role="lead")
    assert "annotator is already a member (Annotator)" in page
    assert Membership.objects.get(user=annotator).role == Role.ANNOTATOR


def test_a_username_that_differs_from_an_account_only_in_case_is_refused(lead_client, outsider):
    page = add(lead_client, username="OUTSIDER")
    assert "An account called &#x27;outsider&#x27; already exists" in page
    assert not get_user_model().objects.filter(username="OUTSIDER").exists()
    assert not Membership.objects.filter(user=outsider).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "no spaces please"}, "username"),
        ({"username": "x" * 151}, "username"),
        ({"username": ""}, "username"),
        ({"username": "fine", "email": "not-an-email"}, "email"),
        ({"username": "fine", "role": "boss"}, "role"),
    ],
)
def test_a_bad_add_is_refused_with_its_field_and_creates_nobody(lead_client, project, data, field):
    page = add(lead_client, **data)
    assert f"Nobody added ({field}:" in page
    assert get_user_model().objects.count() == 1  # the lead


def test_a_lead_changes_a_members_role(lead_client, annotator):
    page = change(lead_client, "annotator", "role", "lead").content.decode()
    assert "annotator is now Lead." in page
    assert Membership.objects.get(user=annotator).role == Role.LEAD
    change(lead_client, "annotator", "role", "annotator")
    assert Membership.objects.get(user=annotator).role == Role.ANNOTATOR


def test_a_change_to_someone_outside_the_project_is_refused(lead_client, outsider):
    page = change(lead_client, "outsider", "deactivate").content.decode()
    assert "outsider is not a member of this project." in page
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_deactivated_member_loses_the_project_and_its_pairs_and_keeps_their_labels(
    client, lead, annotator, project
):
    PairFactory.create_batch(2, project=project)
    first = assignment_lease(project=project, annotator=annotator)
    label_submit(assignment_id=first.id, annotator=annotator, answer=Answer("a"))
    held = assignment_lease(project=project, annotator=annotator)
    client.force_login(lead)
    page = change(client, "annotator", "deactivate").content.decode()
    assert "annotator can no longer open this project or take its pairs" in page
    assert Label.objects.filter(annotator=annotator).count() == 1
    held.refresh_from_db()
    assert held.state == AssignmentState.RELEASED

    client.force_login(annotator)
    assert client.get(reverse("annotate", args=["demo"])).status_code == 404
    assert client.post(reverse("annotate_submit", args=["demo"])).status_code == 404
    assert client.post(reverse("api-lease", args=["demo"])).status_code == 404
    assert client.get(reverse("project_detail", args=["demo"])).status_code == 404
    assert "Demo" not in client.get(reverse("home")).content.decode()


def test_a_reactivated_member_gets_the_project_back_with_their_role(client, lead, annotator):
    client.force_login(lead)
    change(client, "annotator", "deactivate")
    page = change(client, "annotator", "reactivate").content.decode()
    assert "annotator is active again, as Annotator." in page
    client.force_login(annotator)
    assert client.get(reverse("annotate", args=["demo"])).status_code == 200


def test_adding_a_deactivated_member_again_lets_them_back_in(lead_client, annotator):
    change(lead_client, "annotator", "deactivate")
    assert "annotator is back in the project as Lead." in add(
        lead_client, username="annotator", role="lead"
    )
    assert Membership.objects.get(user=annotator).is_active


def test_the_last_lead_can_neither_deactivate_nor_demote_themselves(lead_client, lead):
    for action, role in (("deactivate", ""), ("role", "annotator")):
        page = change(lead_client, "lead", action, role).content.decode()
        assert "lead is the project&#x27;s last" in page
        assert "make someone else a lead first." in page
    membership = Membership.objects.get(user=lead)
    assert (membership.role, membership.is_active) == (Role.LEAD, True)


def test_a_lead_with_a_fellow_lead_may_step_down_and_leaves_the_members_page(
    lead_client, lead, project
):
    MembershipFactory(project=project, user=UserFactory(username="second"), role=Role.LEAD)
    stepped_down = change(lead_client, "lead", "role", "annotator")
    assert stepped_down.redirect_chain[-1][0] == reverse("project_detail", args=["demo"])
    assert Membership.objects.get(user=lead).role == Role.ANNOTATOR


def test_a_deactivated_lead_does_not_count_as_another_lead(lead_client, lead, project):
    other = MembershipFactory(project=project, user=UserFactory(username="away"), role=Role.LEAD)
    change(lead_client, "away", "deactivate")
    change(lead_client, "lead", "deactivate")
    assert Membership.objects.get(user=lead).is_active
    other.refresh_from_db()
    assert not other.is_active


def test_a_new_link_is_made_only_for_accounts_without_a_password(lead_client, annotator):
    add(lead_client, username="newbie")
    renewed = change(lead_client, "newbie", "link").content.decode()
    assert shown_link(renewed) is not None
    refused = change(lead_client, "annotator", "link").content.decode()
    assert "annotator has set a password already" in refused
    assert shown_link(refused) is None


@pytest.mark.parametrize("persona", ["annotator", "outsider"])
def test_annotators_and_outsiders_cannot_add_people(client, lead, annotator, outsider, persona):
    client.force_login({"annotator": annotator, "outsider": outsider}[persona])
    response = client.post(members_url(), {"action": "add", "username": "sneaky"})
    assert response.status_code == {"annotator": 403, "outsider": 404}[persona]
    assert not get_user_model().objects.filter(username="sneaky").exists()
    response = client.post(members_url(), {"action": "deactivate", "username": "lead"})
    assert Membership.objects.get(user=lead).is_active


def test_the_admin_link_is_shown_only_to_staff(client, lead):
    client.force_login(lead)
    detail = reverse("project_detail", args=["demo"])
    assert reverse("admin:index") not in client.get(detail).content.decode()
    lead.is_staff = True
    lead.save()
    assert reverse("admin:index") in client.get(detail).content.decode()
