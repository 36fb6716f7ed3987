"""Every API endpoint, walked as lead, annotator, outsider and anonymous visitor."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from annotation.api.urls import urlpatterns
from annotation.models import ExportJob, ImportJob
from selection.models import EffortRun, SelectionRun, SpaRound
from selection.urls import api_urlpatterns
from tests.factories import PairFactory

pytestmark = pytest.mark.django_db

# Who may call each endpoint: public (no login), user (any logged-in user), member, lead.
ACCESS = {
    ("api-schema", "get"): "public", ("api-docs", "get"): "public",
    ("api-token", "post"): "login",
    ("api-projects", "get"): "user", ("api-projects", "post"): "user",
    ("api-project", "get"): "member", ("api-project", "patch"): "lead",
    ("api-members", "get"): "lead", ("api-members", "post"): "lead",
    ("api-prompts", "get"): "lead", ("api-responses", "get"): "lead",
    ("api-pairs", "get"): "lead",
    ("api-lease", "post"): "member", ("api-submit", "post"): "member",
    ("api-undo", "post"): "member", ("api-progress", "get"): "member",
    ("api-imports", "get"): "lead", ("api-imports", "post"): "lead",
    ("api-import", "get"): "lead",
    ("api-exports", "get"): "lead", ("api-exports", "post"): "lead",
    ("api-export", "get"): "lead", ("api-export-file", "get"): "lead",
    ("api-selection-runs", "get"): "lead", ("api-selection-runs", "post"): "lead",
    ("api-selection-run", "get"): "lead",
    ("api-effort-runs", "get"): "lead", ("api-effort-runs", "post"): "lead",
    ("api-effort-run", "get"): "lead", ("api-metrics", "get"): "lead",
    ("api-spa-rounds", "get"): "lead", ("api-spa-rounds", "post"): "lead",
    ("api-spa-apply", "post"): "lead", ("api-spa-revert", "post"): "lead",
}  # fmt: skip
PK_OF = {"api-import": ImportJob, "api-export": ExportJob, "api-export-file": ExportJob,
         "api-selection-run": SelectionRun, "api-effort-run": EffortRun,
         "api-spa-apply": SpaRound, "api-spa-revert": SpaRound}  # fmt: skip
NO_PROJECT = "No such project."


def test_the_table_names_every_endpoint_and_method():
    api = [*urlpatterns, *api_urlpatterns]  # annotation's endpoints, then selection's
    names = {p.name for p in api if isinstance(p, URLPattern)}
    assert names == {name for name, _method in ACCESS}


@pytest.fixture
def objects(project):
    PairFactory(project=project)
    return {
        ImportJob: ImportJob.objects.create(project=project, file_path="/x", file_name="x"),
        ExportJob: ExportJob.objects.create(project=project, status="done", file_path="/x.zip"),
        SelectionRun: SelectionRun.objects.create(project=project, strategy="random"),
        EffortRun: EffortRun.objects.create(project=project, kind="live", status="done"),
        SpaRound: SpaRound.objects.create(project=project, number=1, judge="embedding"),
    }


def url_of(name: str, objects) -> str:
    kwargs = {}
    if name not in ("api-schema", "api-docs", "api-projects", "api-token"):
        kwargs["slug"] = "demo"
    if name in PK_OF:
        kwargs["pk"] = objects[PK_OF[name]].id
    return reverse(name, kwargs=kwargs)


def call(client, method: str, url: str):
    return getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)


@pytest.mark.parametrize(("name", "method"), sorted(ACCESS))
def test_each_persona_gets_exactly_what_the_ui_allows(
    name, method, api, lead, annotator, outsider, objects
):
    url, rule = url_of(name, objects), ACCESS[(name, method)]
    if rule == "login":  # everyone may ask for a token; an empty form is a 400 for everyone
        for user in (None, outsider, annotator, lead):
            assert call(api(user), method, url).status_code == 400
        return
    anonymous = call(api(), method, url)
    assert anonymous.status_code == (200 if rule == "public" else 401)
    for user, allowed in ((outsider, rule in ("public", "user")),
                          (annotator, rule != "lead"), (lead, True)):  # fmt: skip
        response = call(api(user), method, url)
        assert response.status_code < 500, (user, response.content)
        if allowed:
            assert response.status_code not in (401, 403), (user.username, response.content)
            assert NO_PROJECT not in response.content.decode()
        elif user is outsider:
            assert response.status_code == 404
            assert response.json()["error"]["message"] == NO_PROJECT
        else:
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "permission_denied"
