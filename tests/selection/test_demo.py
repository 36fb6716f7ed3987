from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from annotation.models import Pair, Project, Prompt, Response, Role
from selection.demo import DEMO_SLUG
from selection.effort.services import SIMULATED
from selection.models import EffortRun, ModelProfile, ResponseEmbedding, SelectionRun

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return (
        Project.objects.count(),
        Prompt.objects.count(),
        Response.objects.count(),
        Pair.objects.count(),
        ModelProfile.objects.count(),
        get_user_model().objects.count(),
        SelectionRun.objects.count(),
        EffortRun.objects.count(),
        ResponseEmbedding.objects.count(),
    )


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for this module, as `make demo` loads it (its effort simulation alone
    takes seconds), and the loader's output. It stays inside a transaction rolled back after the
    module's last test, the way Django's TestCase keeps setUpTestData; each test's own changes
    roll back to it first."""
    from config.celery import app

    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        eager, app.conf.task_always_eager = app.conf.task_always_eager, True
        out = io.StringIO()
        try:
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("load_demo", stdout=out)
        except BaseException:
            TestCase._rollback_atomics(atomics)
            raise
        finally:
            app.conf.task_always_eager = eager
    yield out.getvalue()
    with django_db_blocker.unblock():
        TestCase._rollback_atomics(atomics)


def test_the_demo_holds_real_data_two_roles_and_a_queue(loaded):
    out = loaded
    project = Project.objects.get(slug=DEMO_SLUG)
    assert project.prompts.count() == 58
    assert Response.objects.filter(prompt__project=project).count() == 1855
    assert Response.objects.filter(gold_score__isnull=False).count() == 1855
    assert ModelProfile.objects.filter(project=project).count() == 32
    assert project.pairs.filter(status="open", arm="random").count() == 58 * 3
    assert project.pairs.filter(is_gold=True).count() == 10
    # Bundled MiniLM embeddings: the REAL arm and the effort simulation need no model run.
    assert ResponseEmbedding.objects.filter(response__prompt__project=project).count() == 1855
    assert project.pairs.filter(arm="dissimilar").count() == 58
    simulation = EffortRun.objects.get(project=project)
    assert simulation.status == "done"
    assert set(simulation.result["arms"]) == set(SIMULATED)  # every strategy and the oracle
    roles = dict(project.memberships.values_list("user__username", "role"))
    assert roles == {"demo-lead": Role.LEAD, "demo-annotator": Role.ANNOTATOR}
    assert "demo-annotator / demo-pass" in out


def test_the_demo_says_which_port_it_serves_on(loaded, capsys):
    assert "open http://127.0.0.1:8000/ and log in" in loaded
    call_command("load_demo", port=8123)
    assert "open http://127.0.0.1:8123/ and log in" in capsys.readouterr().out


def test_loading_the_demo_twice_duplicates_nothing(loaded):
    first = counts()
    call_command("load_demo")
    assert counts() == first


def test_the_demo_logins_work(loaded, client):
    assert client.login(username="demo-annotator", password="demo-pass")
    page = client.get("/")
    assert "AlpacaEval demo" in page.content.decode()


def test_the_bundled_embeddings_are_what_the_embedder_computes():
    import hashlib
    import json

    import numpy as np

    from selection.demo import DEMO_DIR
    from selection.embedding import PACKAGED_MINILM, encode

    stored = np.load(DEMO_DIR / "alpacaeval_sample_minilm.npz")
    vectors = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    with (DEMO_DIR / "alpacaeval_sample.jsonl").open() as handle:
        texts = [r["text"] for r in json.loads(handle.readline())["responses"][:3]]
    keys = [hashlib.sha1(t.encode(), usedforsecurity=False).hexdigest() for t in texts]
    computed = encode(texts, PACKAGED_MINILM)
    for key, vector in zip(keys, computed, strict=True):
        assert float(vectors[key] @ vector) > 0.999
