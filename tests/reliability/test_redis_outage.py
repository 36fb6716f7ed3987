"""Redis is the cache and the broker, never a dependency of labeling: with it down, people
keep labeling, leads keep reading their pages, and starting a job saves it instead of failing."""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotation.models import Label
from config.celery import app
from config.env import cache_config
from selection.models import SelectionRun
from tests.factories import PairFactory
from tests.throwaway_redis import throwaway_redis

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_as_cache_and_broker():
    """Settings as a deployment has them, on a Redis of the test's own."""
    with throwaway_redis() as server, override_settings(CACHES={"default": cache_config(
        {"REDIS_URL": server.url})}):  # fmt: skip
        before = (app.conf.broker_url, app.conf.task_always_eager)
        app.conf.broker_url, app.conf.task_always_eager = server.url, False
        _forget_broker_connections()
        try:
            yield server
        finally:
            app.conf.broker_url, app.conf.task_always_eager = before
            _forget_broker_connections()


def _forget_broker_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def answer_by_api(client: APIClient) -> int:
    lease = client.post("/api/v1/projects/demo/lease/")
    assert lease.status_code == 200, lease.content
    answer = {"assignment": lease.json()["assignment"], "choice": "left"}
    return client.post("/api/v1/projects/demo/labels/", answer, format="json").status_code


def answer_on_the_page(client) -> int:
    page = client.get(reverse("annotate", args=["demo"]))
    assert page.status_code == 200
    lease = page.content.decode().split('name="assignment" value="')[1].split('"')[0]
    url = reverse("annotate_submit", args=["demo"])
    return client.post(url, {"assignment": lease, "choice": "tie"}, **HTMX).status_code


def test_labeling_and_lead_pages_keep_working_while_redis_is_down(
    client, annotator, lead, project, redis_as_cache_and_broker, caplog
):
    for _ in range(6):
        PairFactory(project=project)
    api = api_for(annotator)
    client.force_login(annotator)
    assert answer_on_the_page(client) == 200
    assert answer_by_api(api) == 201

    redis_as_cache_and_broker.stop()
    with caplog.at_level(logging.WARNING):
        assert answer_on_the_page(client) == 200
        assert answer_by_api(api) == 201
        client.force_login(lead)
        for name in ("project_detail", "effort", "selection_runs", "members", "export"):
            assert client.get(reverse(name, args=["demo"])).status_code == 200, name
    assert Label.objects.filter(annotator=annotator).count() == 4
    assert "Redis is unreachable" in caplog.text


def test_a_job_started_while_the_broker_is_down_is_saved_and_the_request_succeeds(
    client, lead, project, redis_as_cache_and_broker, caplog, django_capture_on_commit_callbacks
):
    PairFactory(project=project)
    redis_as_cache_and_broker.stop()
    client.force_login(lead)
    url = reverse("selection_runs", args=["demo"])
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"strategy": "random", "pairs_per_prompt": "1"})
    assert started.status_code == 302
    run = SelectionRun.objects.get(project=project)
    assert run.status == SelectionRun.Status.PENDING
    assert "Broker unreachable" in caplog.text
    assert "run_selection" in caplog.text


def test_the_cache_answers_again_once_redis_is_back(redis_as_cache_and_broker):
    from django.core.cache import cache

    cache.set("k", 1)
    redis_as_cache_and_broker.stop()
    assert cache.get("k", "missing") == "missing"
    assert cache.add("k", 2) is False
    redis_as_cache_and_broker.start()
    cache.set("k", 3)
    assert cache.get("k") == 3
