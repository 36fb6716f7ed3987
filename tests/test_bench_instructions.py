"""bench/instructions.py's request loop: the requests it counts really answer pairs."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from annotation.models import Assignment, Label
from bench.instructions import Loop, environ
from bench.serve_data import make_queue

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.usefixtures("one_connection"),
]


@pytest.fixture
def one_connection():
    """The loop calls Django's WSGI handler as a server would; here, as Django's test client
    does, it keeps the test's connection (and its transaction) across requests."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_the_counted_round_trips_each_save_a_label_and_lease_the_next_pair():
    sessions = make_queue(slug="bench", pairs=20, annotators=3)
    loop = Loop(sessions)
    first = list(loop.leases)
    loop.run("roundtrip", 6)
    assert Label.objects.count() == 6
    assert sorted(Label.objects.values_list("assignment_id", flat=True))[:3] == sorted(
        int(lease) for lease in first
    )
    assert set(loop.leases).isdisjoint(first)


def test_the_floor_is_the_login_page_without_a_session_and_touches_no_pair():
    loop = Loop(make_queue(slug="bench", pairs=3, annotators=1))
    floor = environ("GET", "/login/", None)
    assert not any(key.startswith(("HTTP_COOKIE", "HTTP_X_CSRF", "HTTP_HX")) for key in floor)
    assert b'name="password"' in loop.call(floor)  # nobody is signed in
    loop.run("floor", 2)  # raises unless each answer is 200
    assert not Label.objects.exists()
    assert Assignment.objects.count() == 1  # the lease Loop took to start from
