"""annotation.access.member_project: the project as the ORM reads it, with the member's role."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotation.access import member_project
from annotation.models import Project, Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(project) -> dict:
    return {f.attname: getattr(project, f.attname) for f in project._meta.concrete_fields}


def test_it_reads_every_field_as_the_orm_does_with_the_role_in_one_query():
    project = ProjectFactory(guidelines="Be *fair*.", overlap=3, gold_rate=0.25)
    membership = MembershipFactory(project=project, role=Role.LEAD)
    with CaptureQueriesContext(connection) as queries:
        read = member_project(membership.user, project.slug)
    assert len(queries) == 1
    assert _fields(read) == _fields(Project.objects.get(pk=project.pk))
    assert read.member_role == Role.LEAD
    assert timezone.is_aware(read.created_at)
    assert read._state.adding is False
    assert read._state.db == "default"


def test_strangers_and_other_projects_members_get_none():
    project = ProjectFactory()
    elsewhere = MembershipFactory()
    assert member_project(UserFactory(), project.slug) is None
    assert member_project(elsewhere.user, project.slug) is None
    assert member_project(elsewhere.user, "no-such-project") is None
