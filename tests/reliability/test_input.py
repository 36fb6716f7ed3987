"""Input that used to end in a 500 or a traceback: each is refused with a 400 that names the
field, or reported as `file:line: field: reason` by an import; the API's errors are JSON."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from annotation.export.service import export_dpo
from annotation.importing.service import import_file
from annotation.models import Label, Prompt
from tests.annotation.import_files import grouped, write_jsonl
from tests.factories import PairFactory, PromptFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db

HUGE_ID = 10**30
DEPTH = 100_000
HTMX = {"HTTP_HX_REQUEST": "true"}
DEEP = "[" * DEPTH + "]" * DEPTH
LABELS = "/api/v1/projects/demo/labels/"


def _error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


def _issues(report) -> list[str]:
    return [str(issue) for issue in report.issues]


def test_an_assignment_id_too_large_for_the_database_is_a_400_from_the_api(api, annotator, project):
    PairFactory(project=project)
    answer = {"assignment": HUGE_ID, "choice": "left"}
    response = api(annotator).post(LABELS, answer, format="json")
    assert response.status_code == 400
    [reason] = _error(response)["fields"]["assignment"]
    assert "less than or equal to" in reason


@pytest.mark.parametrize("htmx", [{}, HTMX], ids=["full page", "htmx partial"])
def test_an_assignment_id_too_large_for_the_database_is_a_400_from_the_form(
    client, annotator, project, htmx
):
    PairFactory(project=project)
    client.force_login(annotator)
    url = reverse("annotate_submit", args=["demo"])
    response = client.post(url, {"assignment": str(HUGE_ID), "choice": "left"}, **htmx)
    assert response.status_code == 400
    assert "assignment: Ensure this value is less than or equal to" in response.content.decode()
    assert not Label.objects.exists()


def test_json_nested_too_deeply_is_a_400_json_error_from_the_api(api, annotator, project):
    response = api(annotator).post(LABELS, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in _error(response)["message"]


def test_an_import_line_nested_too_deeply_is_reported_with_its_line(project, tmp_path):
    deep = '{"prompt_id": "deep", "prompt": "Hi?", "responses": ' + DEEP + "}"
    path = write_jsonl(tmp_path, "g.jsonl", [grouped("p0"), deep])
    report = import_file(project=project, path=path)
    assert report.refused
    [issue] = _issues(report)
    assert issue.startswith("g.jsonl:2: ")
    assert "nested" in issue
    assert not Prompt.objects.exists()


def test_a_lone_surrogate_in_an_import_is_reported_with_line_and_field(project, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped("p0"), grouped("p1", prompt="Hi \ud800?")])
    report = import_file(project=project, path=path)
    assert report.refused
    assert _issues(report) == [
        "g.jsonl:2: field 'prompt': contains a lone surrogate (\\ud800) at character 4, "
        "which is not valid Unicode text"
    ]
    assert not Prompt.objects.exists()


def test_a_lone_surrogate_in_import_metadata_is_reported_too(project, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped("p0", source={"note": "\udfff"})])
    report = import_file(project=project, path=path)
    assert report.refused
    [issue] = _issues(report)
    assert issue.startswith("g.jsonl:1: field 'source.note': contains a lone surrogate")


def test_an_imported_prompt_with_no_responses_is_reported(project, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped("p0"), grouped("p1", models=())])
    report = import_file(project=project, path=path)
    assert report.refused
    [issue] = _issues(report)
    assert issue.startswith("g.jsonl:2: field 'responses': empty")
    assert not Prompt.objects.exists()


def test_reimporting_a_prompt_id_with_another_text_is_reported(project, tmp_path):
    first = write_jsonl(tmp_path, "first.jsonl", [grouped("p0", prompt="What is 2+2?")])
    assert not import_file(project=project, path=first).refused
    again = [grouped("p1"), grouped("p0", prompt="What is 3+3?")]
    report = import_file(project=project, path=write_jsonl(tmp_path, "again.jsonl", again))
    assert report.refused
    [issue] = _issues(report)
    assert issue.startswith("again.jsonl:2: field 'prompt': prompt_id 'p0' is already in")
    assert list(Prompt.objects.values_list("external_id", "text")) == [("p0", "What is 2+2?")]


def test_reimporting_a_prompt_id_with_another_text_skips_only_that_record_when_asked(
    project, tmp_path
):
    first = write_jsonl(tmp_path, "first.jsonl", [grouped("p0", prompt="What is 2+2?")])
    import_file(project=project, path=first)
    again = [grouped("p1"), grouped("p0", prompt="What is 3+3?")]
    path = write_jsonl(tmp_path, "again.jsonl", again)
    report = import_file(project=project, path=path, skip_invalid=True)
    assert not report.refused
    assert (report.records_kept, report.records_skipped, report.issue_count) == (1, 1, 1)
    assert report.counts.prompts_created == 1
    texts = dict(Prompt.objects.values_list("external_id", "text"))
    assert texts == {"p0": "What is 2+2?", "p1": "What is 2+2?"}


def test_the_api_import_reports_a_lone_surrogate_as_file_line_field_reason(api, lead, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    line = json.dumps(grouped("p0", prompt="\ud800")).encode()
    upload = SimpleUploadedFile("g.jsonl", line + b"\n", content_type="application/x-ndjson")
    response = api(lead).post("/api/v1/projects/demo/imports/", {"file": upload})
    assert response.status_code == 400
    [issue] = _error(response)["fields"]["file"]
    assert issue.startswith("g.jsonl:1: prompt: contains a lone surrogate")


def test_an_export_never_writes_a_row_whose_chosen_equals_rejected(project, tmp_path):
    people = UserFactory.create_batch(2)
    prompt = PromptFactory(project=project)
    same = [ResponseFactory(prompt=prompt, text="The same words.") for _ in range(2)]
    twins = PairFactory(project=project, prompt=prompt, response_a=same[0], response_b=same[1])
    other = PairFactory(project=project)
    for person in people:
        Label.objects.create(pair=twins, annotator=person, choice="a")
        Label.objects.create(pair=other, annotator=person, choice="b")
    report = export_dpo(project=project, out_dir=tmp_path, fmt="jsonl")
    rows = [json.loads(line) for line in (tmp_path / "train.jsonl").read_text().splitlines()]
    assert [row for row in rows if row["chosen"] == row["rejected"]] == []
    assert [row["pair_id"] for row in rows] == [other.id]
    assert report.dropped["identical_responses"] == 1
    assert "| identical_responses | 1 |" in (tmp_path / "README.md").read_text()


def test_an_unknown_api_address_is_a_json_404(api, annotator):
    response = api(annotator).get("/api/v1/no/such/thing/")
    assert response.status_code == 404
    assert _error(response)["status"] == 404


@pytest.mark.urls("tests.reliability.error_urls")
def test_a_failing_api_view_is_a_json_500_without_a_traceback(client):
    client.raise_request_exception = False
    response = client.get("/api/v1/broken/")
    assert response.status_code == 500
    error = _error(response)
    assert (error["status"], error["code"]) == (500, "server_error")
    assert "Traceback" not in response.content.decode()
