from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.urls import reverse

from annotation.queue import assignment_lease
from config.messages import LazyMessageMiddleware, unused
from tests.factories import PairFactory


def through_middleware(rf, view, cookies=None):
    """A request passed through the session and message middleware to `view`."""
    request = rf.get("/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda r: None).process_request(request)
    response = LazyMessageMiddleware(view)(request)
    return request, response


def test_a_request_that_uses_no_message_builds_no_storage(rf):
    request, response = through_middleware(rf, lambda r: HttpResponse("ok"))
    assert unused(request._messages)
    assert "messages" not in response.cookies


def test_a_message_added_is_stored_and_read_by_the_next_request(rf):
    def add(request):
        messages.success(request, "Saved.")
        return HttpResponse("ok")

    def read(request):
        return HttpResponse(" | ".join(str(m) for m in messages.get_messages(request)))

    request, response = through_middleware(rf, add)
    assert not unused(request._messages)
    stored = {"messages": response.cookies["messages"].value}
    _, shown = through_middleware(rf, read, cookies=stored)
    assert shown.content == b"Saved."


@pytest.mark.django_db
def test_a_message_shows_after_the_redirect_and_only_once(client, lead, annotator, project):
    PairFactory(project=project)
    lease = assignment_lease(project=project, annotator=annotator)
    client.force_login(lead)
    url = reverse("lease_release", args=["demo", lease.id])
    shown = client.post(url, follow=True).content.decode()
    assert "Lease released: the pair is back in the queue." in shown
    again = client.get(reverse("project_detail", args=["demo"])).content.decode()
    assert "Lease released" not in again


@pytest.mark.django_db
def test_the_htmx_workbench_builds_no_message_storage(client, annotator, project):
    PairFactory(project=project)
    client.force_login(annotator)
    response = client.get(reverse("annotate", args=["demo"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert unused(response.wsgi_request._messages)
