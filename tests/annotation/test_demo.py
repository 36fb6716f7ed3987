from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotation.demo import DEMO_SLUG
from annotation.models import Pair, Project, Prompt, Response, Role
from selection.models import ModelProfile

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Project.objects.count(),
        Prompt.objects.count(),
        Response.objects.count(),
        Pair.objects.count(),
        ModelProfile.objects.count(),
        get_user_model().objects.count(),
    )


def test_the_demo_holds_real_data_two_roles_and_a_queue(
    capsys, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    out = capsys.readouterr().out
    project = Project.objects.get(slug=DEMO_SLUG)
    assert project.prompts.count() == 58
    assert Response.objects.filter(prompt__project=project).count() == 1855
    assert Response.objects.filter(gold_score__isnull=False).count() == 1855
    assert ModelProfile.objects.filter(project=project).count() == 32
    assert project.pairs.filter(status="open", arm="random").count() == 58 * 3
    assert project.pairs.filter(is_gold=True).count() == 10
    roles = dict(project.memberships.values_list("user__username", "role"))
    assert roles == {"demo-lead": Role.LEAD, "demo-annotator": Role.ANNOTATOR}
    assert "demo-annotator / demo-pass" in out


def test_loading_the_demo_twice_duplicates_nothing():
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first


def test_the_demo_logins_work(client):
    call_command("load_demo")
    assert client.login(username="demo-annotator", password="demo-pass")
    page = client.get("/")
    assert "AlpacaEval demo" in page.content.decode()
