"""The API's endpoints do what the UI does, through the same services."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotation.models import Label, Membership, Pair, Project, Role
from tests.factories import PairFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_creates_a_project_and_becomes_its_lead(api, outsider):
    client = api(outsider)
    created = client.post("/api/v1/projects/", {"name": "New", "slug": "new"}, format="json")
    assert created.status_code == 201
    assert Membership.objects.get(project__slug="new", user=outsider).role == Role.LEAD
    listed = client.get("/api/v1/projects/").json()
    assert [(p["slug"], p["role"]) for p in listed["results"]] == [("new", "lead")]


def test_errors_are_structured_with_field_details(api, outsider):
    bad = api(outsider).post("/api/v1/projects/", {"name": "", "slug": "no spaces"}, format="json")
    error = bad.json()["error"]
    assert (bad.status_code, error["status"], error["code"]) == (400, 400, "invalid")
    assert set(error["fields"]) == {"name", "slug"}


def test_a_lead_sets_roles_and_changes_settings(api, lead, project, outsider):
    client = api(lead)
    added = client.post("/api/v1/projects/demo/members/",
                        {"username": "outsider", "role": "annotator"}, format="json")  # fmt: skip
    assert added.json()["role"] == "annotator"
    missing = client.post("/api/v1/projects/demo/members/",
                          {"username": "ghost", "role": "lead"}, format="json")  # fmt: skip
    assert missing.json()["error"]["fields"] == {"username": ["No user with this username."]}
    assert client.patch("/api/v1/projects/demo/", {"overlap": 3}, format="json").status_code == 200
    assert Project.objects.get(slug="demo").overlap == 3


def test_members_added_through_the_api_are_annotators_and_the_last_lead_stays(
    api, lead, project, outsider
):
    client = api(lead)
    added = client.post("/api/v1/projects/demo/members/", {"username": "outsider"}, format="json")
    assert (added.json()["role"], added.json()["active"]) == ("annotator", True)
    demoted = client.post("/api/v1/projects/demo/members/",
                          {"username": "lead", "role": "annotator"}, format="json")  # fmt: skip
    assert demoted.status_code == 400
    assert "last lead" in demoted.json()["error"]["fields"]["role"][0]
    assert Membership.objects.get(user=lead).role == Role.LEAD


def test_lease_shows_the_display_order_without_models_or_gold(api, annotator, project):
    pair = PairFactory(project=project, swapped=True)
    leased = api(annotator).post("/api/v1/projects/demo/lease/")
    body = leased.json()
    assert body["pair"] == pair.id
    assert (body["left"]["id"], body["right"]["id"]) == (pair.response_b_id, pair.response_a_id)
    assert "model" not in json.dumps(body)
    assert "gold" not in json.dumps(body)
    # Asking again gives back the same lease, not a new pair.
    assert api(annotator).post("/api/v1/projects/demo/lease/").json() == body


def test_submitting_twice_makes_one_label_in_canonical_terms(api, annotator, project):
    pair = PairFactory(project=project, swapped=True)
    client = api(annotator)
    lease = client.post("/api/v1/projects/demo/lease/").json()
    answer = {"assignment": lease["assignment"], "choice": "left", "active_seconds": 4.5}
    first = client.post("/api/v1/projects/demo/labels/", answer, format="json")
    again = client.post("/api/v1/projects/demo/labels/", answer, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["duplicate"] is True
    label = Label.objects.get(pair=pair)
    assert label.choice == "b"  # left was response B: the pair is shown swapped
    assert client.get("/api/v1/projects/demo/progress/").json()["labeled"] == 1
    undone = client.post("/api/v1/projects/demo/labels/undo/")
    assert undone.json()["id"] == label.id
    assert client.get("/api/v1/projects/demo/progress/").json()["labeled"] == 0


def test_a_pair_is_never_leased_to_two_people_beyond_overlap(api, annotator, project):
    PairFactory(project=project)  # overlap 1
    other = UserFactory()
    Membership.objects.create(project=project, user=other, role=Role.ANNOTATOR)
    assert api(annotator).post("/api/v1/projects/demo/lease/").status_code == 200
    assert api(other).post("/api/v1/projects/demo/lease/").status_code == 204


def test_someone_elses_lease_is_refused(api, annotator, project):
    PairFactory(project=project)
    other = UserFactory()
    Membership.objects.create(project=project, user=other, role=Role.ANNOTATOR)
    lease = api(annotator).post("/api/v1/projects/demo/lease/").json()
    answer = {"assignment": lease["assignment"], "choice": "a"}
    stolen = api(other).post("/api/v1/projects/demo/labels/", answer, format="json")
    assert stolen.json()["error"]["fields"] == {"assignment": ["That pair is not leased to you."]}
    assert not Label.objects.exists()


GOOD = b'{"prompt_id": "p1", "prompt": "Hi?", "responses": [{"model": "m", "text": "Hello"}]}\n'
BAD = b'{"prompt_id": "p2", "prompt": "", "responses": []}\n'


def test_import_takes_the_cli_formats_and_reports_every_problem_with_its_line(api, lead, project):
    client = api(lead)
    upload = {"file": SimpleUploadedFile("bad.jsonl", GOOD + BAD)}
    refused = client.post("/api/v1/projects/demo/imports/", upload, format="multipart")
    problems = refused.json()["error"]["fields"]["file"]
    assert refused.status_code == 400
    assert problems
    assert all(p.startswith("bad.jsonl:2:") for p in problems)
    assert not project.prompts.exists()
    upload = {"file": SimpleUploadedFile("good.jsonl", GOOD)}
    ok = client.post("/api/v1/projects/demo/imports/", upload, format="multipart")
    assert ok.status_code == 201
    assert ok.json()["report"]["counts"]["prompts_created"] == 1
    listed = client.get("/api/v1/projects/demo/prompts/").json()
    assert (listed["count"], listed["results"][0]["external_id"]) == (1, "p1")


def test_lists_are_paginated_and_filtered(api, lead, project):
    for i in range(60):
        PairFactory(project=project, arm="x" if i % 2 else "y")
    client = api(lead)
    page = client.get("/api/v1/projects/demo/pairs/?arm=x").json()
    assert (page["count"], len(page["results"]), page["next"] is not None) == (30, 30, False)
    first = client.get("/api/v1/projects/demo/pairs/").json()
    assert (first["count"], len(first["results"])) == (60, 50)
    assert first["next"].endswith("page=2")


def test_ids_too_large_for_the_database_are_refused_not_a_server_error(api, lead, project):
    huge = "9" * 25
    client = api(lead)
    bad = client.get(f"/api/v1/projects/demo/responses/?prompt={huge}")
    assert bad.status_code == 400
    assert "out of range" in bad.json()["error"]["fields"]["prompt"][0]
    assert client.get(f"/api/v1/projects/demo/exports/{huge}/").status_code == 404
    assert client.get("/api/v1/projects/demo/exports/999999999999999999/").status_code == 404


def test_a_nul_character_in_a_filter_is_refused_not_a_server_error(api, lead, project):
    bad = api(lead).get("/api/v1/projects/demo/pairs/?arm=x%00y")
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["arm"] == ["NUL characters are not allowed."]


def test_a_lead_exports_through_the_api_and_downloads_the_zip(
    api, lead, annotator, project, settings, tmp_path, eager_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    Label.objects.create(pair=PairFactory(project=project), annotator=annotator, choice="a")
    client = api(lead)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/projects/demo/exports/", {"fmt": "parquet"}, format="json")
    assert started.status_code == 202
    job = client.get(f"/api/v1/projects/demo/exports/{started.json()['id']}/").json()
    assert (job["status"], job["report"]["rows"]) == ("done", 1)
    download = client.get(f"/api/v1/projects/demo/exports/{job['id']}/download/")
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert sorted(names) == ["README.md", "train.parquet"]


def test_selection_and_effort_runs_start_and_report(
    api, lead, project, eager_tasks, django_capture_on_commit_callbacks
):
    PairFactory(project=project)
    client = api(lead)
    with django_capture_on_commit_callbacks(execute=True):
        start = {"strategy": "random", "seed": 3, "arm": "base"}
        run = client.post("/api/v1/projects/demo/selection-runs/", start, format="json")
    assert run.status_code == 202
    status = client.get(f"/api/v1/projects/demo/selection-runs/{run.json()['id']}/").json()
    assert (status["status"], status["arm"]) == ("done", "base")
    bad = client.post("/api/v1/projects/demo/effort-runs/", {"kind": "simulation", "seeds": 0},
                      format="json")  # fmt: skip
    assert bad.json()["error"]["fields"] == {"seeds": ["seeds: must be between 1 and 100, not 0"]}
    spa = client.post("/api/v1/projects/demo/effort-runs/", {"kind": "spa", "thresholds": [0.3]},
                      format="json")  # fmt: skip
    assert spa.json()["error"]["fields"] == {
        "thresholds": ["thresholds: each must be between 0.5 and 1"]
    }
    unknown = client.post("/api/v1/projects/demo/selection-runs/", {"strategy": "nope"},
                          format="json")  # fmt: skip
    assert "strategy" in unknown.json()["error"]["fields"]
    metrics = client.get("/api/v1/projects/demo/metrics/").json()
    assert metrics["progress"]["pairs"] == Pair.objects.filter(project=project).count()


def test_writes_are_throttled_and_reads_are_not(api, lead, project, monkeypatch):
    from annotation.api.access import WriteThrottle

    monkeypatch.setattr(WriteThrottle, "THROTTLE_RATES", {"write": "2/minute"})
    client = api(lead)
    codes = [client.patch("/api/v1/projects/demo/", {"name": f"n{i}"}, format="json").status_code
             for i in range(3)]  # fmt: skip
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/projects/demo/").status_code == 200


def test_the_schema_and_the_docs_page_are_served(api):
    schema = api().get("/api/v1/schema/?format=json")
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/projects/{slug}/lease/" in paths
    docs = api().get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_a_user_gets_a_token_with_their_password_and_uses_it(api, annotator, project):
    from rest_framework.test import APIClient

    got = APIClient().post("/api/v1/token/", {"username": "annotator",
                                              "password": "pw-for-tests-123"})  # fmt: skip
    token = got.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/projects/demo/progress/").status_code == 200
    wrong = APIClient().post("/api/v1/token/", {"username": "annotator", "password": "nope"})
    assert wrong.status_code == 400


def test_every_kind_of_job_reports_the_same_status_fields(api, lead, project):
    from annotation.api.jobs import JOB_FIELDS
    from annotation.models import ExportJob, ImportJob
    from selection.models import EffortRun, SelectionRun, SpaRound

    jobs = {
        "imports": ImportJob.objects.create(project=project, file_path="/x", file_name="x.jsonl"),
        "exports": ExportJob.objects.create(project=project),
        "selection-runs": SelectionRun.objects.create(project=project, strategy="random"),
        "effort-runs": EffortRun.objects.create(project=project, kind="live", status="running",
                                                stage="fitting", progress=0.5),
    }  # fmt: skip
    client = api(lead)
    for path, job in jobs.items():
        body = client.get(f"/api/v1/projects/demo/{path}/{job.id}/").json()
        assert set(JOB_FIELDS) <= set(body), path
    assert (body["status"], body["stage"], body["progress"]) == ("running", "fitting", 0.5)
    SpaRound.objects.create(project=project, number=1, judge="embedding")
    (spa,) = client.get("/api/v1/projects/demo/spa-rounds/").json()["results"]
    assert set(JOB_FIELDS) <= set(spa)
