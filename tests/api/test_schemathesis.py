"""Schemathesis generates requests from the OpenAPI schema: none may cause a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from annotation.models import Role
from tests.factories import MembershipFactory, PairFactory, ProjectFactory, UserFactory

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())

# Slow: 33 endpoints, 15 generated requests each, each test on a flushed database (~20 s).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def lead_token(db):
    project = ProjectFactory(slug="demo")
    lead = UserFactory(username="schema-lead")
    MembershipFactory(project=project, user=lead, role=Role.LEAD)
    for _ in range(3):
        PairFactory(project=project)
    return Token.objects.create(user=lead).key


@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])  # fmt: skip
def test_no_generated_request_causes_a_server_error(case, lead_token):
    if "slug" in case.path_parameters:
        case.path_parameters["slug"] = "demo"  # the lead's project, so real code runs
    response = case.call(headers={"Authorization": f"Token {lead_token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
