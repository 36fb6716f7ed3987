"""annotation.access: the project as the ORM reads it, with the member's role, read alone
(member_project) or with the signed-in user in one statement (member_required)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model, login
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import connection
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotation.access import (
    get_project_for_member,
    member_project,
    member_required,
    user_and_member,
)
from annotation.models import Project, Role
from config.auth import ModelBackend, reading_user_with
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _assert_read_as_the_orm_reads_it(read, project, role) -> None:
    assert _fields(read) == _fields(Project.objects.get(pk=project.pk))
    assert read.member_role == role
    assert timezone.is_aware(read.created_at)
    assert read._state.adding is False
    assert read._state.db == "default"


def test_it_reads_every_field_as_the_orm_does_with_the_role_in_one_query():
    project = ProjectFactory(guidelines="Be *fair*.", overlap=3, gold_rate=0.25)
    membership = MembershipFactory(project=project, role=Role.LEAD)
    with CaptureQueriesContext(connection) as queries:
        read = member_project(membership.user, project.slug)
    assert len(queries) == 1
    _assert_read_as_the_orm_reads_it(read, project, Role.LEAD)


def test_strangers_and_other_projects_members_get_none():
    project = ProjectFactory()
    elsewhere = MembershipFactory()
    assert member_project(UserFactory(), project.slug) is None
    assert member_project(elsewhere.user, project.slug) is None
    assert member_project(elsewhere.user, "no-such-project") is None


def test_the_user_and_their_project_are_read_in_one_query_as_each_is_read_alone():
    project = ProjectFactory(guidelines="Be *fair*.", overlap=3, gold_rate=0.25)
    membership = MembershipFactory(project=project, role=Role.LEAD)
    with CaptureQueriesContext(connection) as queries:
        user = user_and_member(get_user_model(), "default", membership.user.pk, slug=project.slug)
    assert len(queries) == 1
    assert _fields(user) == _fields(DjangoModelBackend().get_user(user.pk))
    _assert_read_as_the_orm_reads_it(user.member_of[project.slug], project, Role.LEAD)


def test_with_the_user_a_stranger_s_project_is_none_and_a_missing_user_is_nobody():
    project = ProjectFactory()
    elsewhere = MembershipFactory()
    user = user_and_member(get_user_model(), "default", elsewhere.user.pk, slug=project.slug)
    assert user.pk == elsewhere.user.pk
    assert user.member_of == {project.slug: None}
    assert user_and_member(get_user_model(), "default", elsewhere.user.pk + 1000, slug="x") is None


def test_the_backend_reads_the_user_through_the_reader_only_inside_the_block():
    membership = MembershipFactory()
    slug = membership.project.slug

    def reader(model, alias, pk):
        return user_and_member(model, alias, pk, slug=slug)

    with reading_user_with(reader):
        inside = ModelBackend().get_user(membership.user.pk)
    outside = ModelBackend().get_user(membership.user.pk)
    assert inside.member_of[slug].pk == membership.project.pk
    assert not hasattr(outside, "member_of")


def test_an_inactive_person_is_nobody_through_the_reader_too():
    membership = MembershipFactory(user=UserFactory(is_active=False))
    slug = membership.project.slug
    with reading_user_with(lambda model, alias, pk: user_and_member(model, alias, pk, slug=slug)):
        assert ModelBackend().get_user(membership.user.pk) is None


def _project_view(request, slug):
    project, role = get_project_for_member(request, slug)
    return HttpResponse(f"{project.pk} {role}")


def test_a_member_view_keeps_django_s_session_check_a_password_change_signs_it_out(client):
    membership = MembershipFactory(role=Role.ANNOTATOR)
    client.force_login(membership.user)
    url = reverse("annotate", args=[membership.project.slug])
    assert client.get(url).status_code == 200
    # Django's session check still applies: a password change elsewhere signs the session out.
    membership.user.set_password("another-password-456")
    membership.user.save()
    assert client.get(url)["Location"].startswith(reverse("login"))


def test_a_member_view_answers_strangers_404_and_the_signed_out_a_login_redirect(rf_session):
    project = ProjectFactory()
    stranger = UserFactory()
    view = member_required(_project_view)
    with pytest.raises(Http404):
        view(rf_session(stranger), project.slug)
    response = view(rf_session(None), project.slug)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_get_project_for_member_reads_the_project_itself_when_the_user_came_without_it():
    membership = MembershipFactory(role=Role.LEAD)
    request = RequestFactory().get("/")
    request.user = membership.user  # already read, as a middleware or a test would
    with CaptureQueriesContext(connection) as queries:
        project, role = get_project_for_member(request, membership.project.slug)
    assert (project.pk, role, len(queries)) == (membership.project.pk, Role.LEAD, 1)


def test_a_member_view_s_project_costs_no_query_of_its_own(rf_session):
    membership = MembershipFactory(role=Role.LEAD)
    request = rf_session(membership.user)
    with CaptureQueriesContext(connection) as queries:
        response = member_required(_project_view)(request, membership.project.slug)
    assert response.content.decode() == f"{membership.project.pk} {Role.LEAD}"
    assert len(queries) == 1
    assert "annotation_project" in queries[0]["sql"]
    assert "auth_user" in queries[0]["sql"]


def test_a_member_view_gets_the_user_django_accepted_itself_not_its_lazy_proxy(rf_session):
    membership = MembershipFactory(role=Role.ANNOTATOR)
    request = rf_session(membership.user)
    seen = {}

    def view(request, slug):
        seen["user"] = request.user
        return _project_view(request, slug)

    member_required(view)(request, membership.project.slug)
    assert type(seen["user"]) is get_user_model()
    assert seen["user"].pk == membership.user.pk
    assert seen["user"].member_of[membership.project.slug].pk == membership.project.pk


def test_a_member_view_leaves_a_refused_session_signed_out(rf_session):
    membership = MembershipFactory(role=Role.ANNOTATOR)
    request = rf_session(membership.user)
    # The session's hash no longer matches: Django refuses the user the reader did find.
    membership.user.set_password("another-password-456")
    membership.user.save()
    response = member_required(_project_view)(request, membership.project.slug)
    assert response.status_code == 302
    assert request.user.is_authenticated is False


def test_a_member_view_leaves_a_user_read_before_it_as_it_was(rf_session):
    membership = MembershipFactory(role=Role.ANNOTATOR)
    request = rf_session(membership.user)
    request.user.is_authenticated  # noqa: B018 (read by something before the view)
    proxy = request.user
    response = member_required(_project_view)(request, membership.project.slug)
    assert response.content.decode() == f"{membership.project.pk} {Role.ANNOTATOR}"
    assert request.user is proxy


@pytest.fixture
def rf_session():
    """A request through the session and authentication middleware, signed in as `user` (None:
    signed out), with the user not yet read."""

    def make(user):
        request = RequestFactory().get("/")
        SessionMiddleware(lambda r: None).process_request(request)
        if user is not None:
            request.user = AnonymousUser()
            login(request, user, backend="config.auth.ModelBackend")
            del request.user
        AuthenticationMiddleware(lambda r: None).process_request(request)
        return request

    return make
