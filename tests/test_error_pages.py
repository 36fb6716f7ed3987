"""Errors are shown as Pairsmith pages that say what happened and lead back home (DEBUG off,
as pytest-django runs every test)."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.urls import reverse

pytestmark = pytest.mark.django_db

STYLED = 'href="/static/pairsmith/app.css"'


def test_an_unknown_address_shows_the_styled_404_with_a_link_home(client, annotator):
    client.force_login(annotator)
    response = client.get("/no/such/page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert STYLED in page
    assert 'id="error-404"' in page
    assert f'href="{reverse("home")}"' in page


def test_a_project_you_are_not_in_shows_the_styled_404(client, project, outsider):
    client.force_login(outsider)
    response = client.get(reverse("project_detail", args=["demo"]))
    assert response.status_code == 404
    assert 'id="error-404"' in response.content.decode()


def test_a_lead_page_refused_by_the_access_helper_shows_the_styled_403(client, annotator):
    client.force_login(annotator)
    response = client.get(reverse("members", args=["demo"]))
    page = response.content.decode()
    assert response.status_code == 403
    assert STYLED in page
    assert 'id="error-403"' in page
    assert "Only the project&#x27;s leads can do this." in page
    assert f'href="{reverse("home")}"' in page


@pytest.mark.urls("tests.error_urls")
def test_a_failing_view_shows_the_styled_500(client, annotator):
    client.raise_request_exception = False
    client.force_login(annotator)
    response = client.get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert STYLED in page
    assert 'id="error-500"' in page
    assert 'href="/"' in page


def test_the_500_page_renders_without_a_request_or_context():
    page = get_template("500.html").render()
    assert 'id="error-500"' in page
    assert "Something went wrong on our side" in page
