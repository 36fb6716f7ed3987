"""annotation.access: the project with the member's role, 404 for strangers, 403 for the wrong
role, and Django's own session checks on every member view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from annotation.access import get_project_for_lead, get_project_for_member, member_project
from annotation.models import Membership, Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_member_gets_the_project_with_their_role():
    project = ProjectFactory(guidelines="Be *fair*.", overlap=3, gold_rate=0.25)
    membership = MembershipFactory(project=project, role=Role.LEAD)
    read, role = get_project_for_member(_request(membership.user), project.slug)
    assert (read.pk, read.overlap, read.gold_rate, role) == (project.pk, 3, 0.25, Role.LEAD)
    assert read.member_role == Role.LEAD


def test_strangers_and_other_projects_members_get_none():
    project = ProjectFactory()
    elsewhere = MembershipFactory()
    assert member_project(UserFactory(), project.slug) is None
    assert member_project(elsewhere.user, project.slug) is None
    assert member_project(elsewhere.user, "no-such-project") is None


def test_a_deactivated_member_is_a_stranger_again():
    membership = MembershipFactory(role=Role.LEAD)
    Membership.objects.filter(id=membership.id).update(deactivated_at=timezone.now())
    with pytest.raises(Http404):
        get_project_for_member(_request(membership.user), membership.project.slug)


def test_an_annotator_may_not_do_what_only_leads_do():
    membership = MembershipFactory(role=Role.ANNOTATOR)
    with pytest.raises(PermissionDenied):
        get_project_for_lead(_request(membership.user), membership.project.slug)


def test_a_member_view_keeps_django_s_session_check_a_password_change_signs_it_out(client):
    membership = MembershipFactory(role=Role.ANNOTATOR)
    client.force_login(membership.user)
    url = reverse("annotate", args=[membership.project.slug])
    assert client.get(url).status_code == 200
    # Django's session check: a password change elsewhere signs the session out.
    membership.user.set_password("another-password-456")
    membership.user.save()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_a_member_view_answers_strangers_404_and_the_signed_out_a_login_redirect(client):
    project = ProjectFactory()
    url = reverse("annotate", args=[project.slug])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
