from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from annotation.importing.service import import_file
from annotation.models import Label, Pair, Prompt, Response
from tests.annotation.import_files import (
    FLAT_ROWS,
    POOL,
    grouped,
    pair,
    write_jsonl,
)

pytestmark = pytest.mark.django_db


def test_grouped_jsonl_creates_prompts_responses_gold_scores_and_metadata(project, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped(0, dataset="oasst"), grouped(2, "Why?")])
    report = import_file(project=project, path=path)
    assert not report.refused, report.summary()
    assert report.file_format == "grouped"
    assert (report.counts.prompts_created, report.counts.responses_created) == (2, 6)
    prompt = Prompt.objects.get(project=project, external_id="0")
    assert prompt.metadata == {"dataset": "oasst"}
    response = prompt.responses.get(model_name="m2")
    assert (response.external_id, response.text, response.gold_score) == ("m2", "m2 says 1", 1.1)


def test_grouped_keeps_empty_response_texts(project, tmp_path):
    record = {"prompt_id": "x", "prompt": "Q?", "responses": [{"model": "m", "text": ""}]}
    report = import_file(project=project, path=write_jsonl(tmp_path, "g.jsonl", [record]))
    assert not report.refused, report.summary()
    assert Response.objects.get(prompt__project=project).text == ""


def test_reimporting_the_same_file_changes_nothing(project, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped(0), grouped(1)])
    import_file(project=project, path=path)
    before = list(Response.objects.order_by("id").values_list("id", "text", "created_at"))
    again = import_file(project=project, path=path)
    assert (again.counts.prompts_created, again.counts.responses_created) == (0, 0)
    assert (again.counts.prompts_existing, again.counts.responses_existing) == (2, 6)
    assert list(Response.objects.order_by("id").values_list("id", "text", "created_at")) == before


def test_a_new_model_for_a_known_prompt_adds_only_that_response(project, tmp_path):
    import_file(project=project, path=write_jsonl(tmp_path, "a.jsonl", [grouped(0)]))
    more = write_jsonl(tmp_path, "b.jsonl", [grouped(0, models=("m1", "m2", "m3", "m4"))])
    report = import_file(project=project, path=more)
    assert (report.counts.responses_created, report.counts.responses_existing) == (1, 3)
    assert Response.objects.filter(prompt__project=project).count() == 4


def test_pairs_create_two_responses_a_pair_and_an_imported_label_for_the_chosen(project, tmp_path):
    records = [pair(chosen_model="good", rejected_model="bad"), pair("Another", "yes", "no")]
    report = import_file(project=project, path=write_jsonl(tmp_path, "p.jsonl", records))
    assert not report.refused, report.summary()
    assert report.file_format == "pairs"
    assert (report.counts.pairs_created, report.counts.labels_created) == (2, 2)
    for label in Label.objects.select_related("pair__response_a", "pair__response_b"):
        chosen = label.pair.response_a if label.choice == "a" else label.pair.response_b
        assert chosen.text in {"Hello there!", "yes"}
        assert label.source == "imported"
        assert label.pair.arm == "imported"
        assert label.pair.response_a_id < label.pair.response_b_id
    assert Response.objects.get(text="Hello there!").model_name == "good"


def test_pairs_label_says_b_when_the_chosen_response_has_the_higher_id(project, tmp_path):
    # The rejected text is met first in the file's prompt, so it gets the lower id.
    records = [pair(chosen="first", rejected="second"), pair(chosen="third", rejected="first")]
    import_file(project=project, path=write_jsonl(tmp_path, "p.jsonl", records))
    second = Pair.objects.get(response_b__text="third")
    assert second.labels.get().choice == "b"


def test_reimporting_pairs_adds_no_pairs_and_no_labels(project, tmp_path):
    path = write_jsonl(tmp_path, "p.jsonl", [pair(), pair("Q2", "x", "y")])
    import_file(project=project, path=path)
    again = import_file(project=project, path=path)
    assert (again.counts.pairs_created, again.counts.labels_created) == (0, 0)
    assert (again.counts.pairs_existing, again.counts.labels_existing) == (2, 2)
    assert (Pair.objects.count(), Label.objects.count()) == (2, 2)


def test_a_reimport_counts_each_row_once_however_many_records_name_it(project, tmp_path):
    # "A" is the chosen response of two records.
    records = [pair(chosen="A", rejected="B"), pair(chosen="A", rejected="C")]
    path = write_jsonl(tmp_path, "p.jsonl", records)
    first = import_file(project=project, path=path).counts
    assert (first.responses_created, first.responses_existing) == (3, 0)
    assert (first.pairs_created, first.pairs_existing) == (2, 0)
    assert (first.labels_created, first.labels_existing) == (2, 0)
    again = import_file(project=project, path=path).counts
    assert (again.prompts_created, again.prompts_existing) == (0, 1)
    assert (again.responses_created, again.responses_existing) == (0, 3)
    assert (again.pairs_created, again.pairs_existing) == (0, 2)
    assert (again.labels_created, again.labels_existing) == (0, 2)


def test_pairs_with_the_same_prompt_share_it_and_its_responses(project, tmp_path):
    records = [pair(chosen="A", rejected="B"), pair(chosen="A", rejected="C", prompt_id="q")]
    import_file(project=project, path=write_jsonl(tmp_path, "p.jsonl", records))
    assert Prompt.objects.filter(project=project).count() == 2  # hash id, and "q"
    one = [pair(chosen="A", rejected="B"), pair(chosen="A", rejected="C")]
    import_file(project=project, path=write_jsonl(tmp_path, "p2.jsonl", one))
    hashed = Prompt.objects.exclude(external_id="q").get()
    assert hashed.responses.count() == 3


def test_conversational_pairs_are_read_from_message_lists(project, tmp_path):
    record = {
        "prompt": [{"role": "user", "content": "Hi?"}],
        "chosen": [{"role": "assistant", "content": "Hello!"}],
        "rejected": [{"role": "assistant", "content": "No."}],
    }
    report = import_file(project=project, path=write_jsonl(tmp_path, "c.jsonl", [record]))
    assert not report.refused, report.summary()
    prompt = Prompt.objects.get()
    assert prompt.text == "Hi?"
    assert prompt.metadata["messages"] == record["prompt"]
    assert set(prompt.responses.values_list("text", flat=True)) == {"Hello!", "No."}


def test_flat_jsonl_rows_of_one_prompt_need_not_be_adjacent(project, tmp_path):
    report = import_file(project=project, path=write_jsonl(tmp_path, "f.jsonl", FLAT_ROWS))
    assert not report.refused, report.summary()
    assert report.file_format == "flat"
    assert report.counts.prompts_created == 2
    p1 = Prompt.objects.get(external_id="p1")
    assert dict(p1.responses.values_list("model_name", "gold_score")) == {
        "m1": 1.5,
        "m2": 1.0,
        "m3": 2.0,
    }


def _write_csv(path, rows, bom=False):
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([{k: "" if v is None else v for k, v in row.items()} for row in rows])
    return path


def test_flat_csv_with_a_bom_and_a_multiline_cell_imports(project, tmp_path):
    rows = [*FLAT_ROWS, {**FLAT_ROWS[0], "model": "m9", "response": "line one\nline two"}]
    path = _write_csv(tmp_path / "f.csv", rows, bom=True)
    report = import_file(project=project, path=path)
    assert not report.refused, report.summary()
    assert report.counts.responses_created == 5
    assert Response.objects.get(model_name="m9").text == "line one\nline two"
    assert Response.objects.get(model_name="m2", prompt__external_id="p1").gold_score == 1.0


def test_flat_parquet_imports_and_reimports_as_a_no_op(project, tmp_path):
    path = tmp_path / "f.parquet"
    pq.write_table(pa.Table.from_pylist(FLAT_ROWS), path, row_group_size=2)
    first = import_file(project=project, path=path)
    again = import_file(project=project, path=path)
    assert not first.refused, first.summary()
    assert (first.file_format, first.counts.responses_created) == ("flat", 4)
    assert (again.counts.responses_created, again.counts.responses_existing) == (0, 4)


def test_pairs_in_a_csv_file_are_detected_by_their_columns(project, tmp_path):
    path = _write_csv(tmp_path / "p.csv", [pair(), pair("Q2", "yes", "no")])
    report = import_file(project=project, path=path)
    assert (report.file_format, report.counts.labels_created) == ("pairs", 2)


def test_a_format_given_explicitly_is_used(project, tmp_path):
    path = write_jsonl(tmp_path, "data.json", FLAT_ROWS)
    report = import_file(project=project, path=path, file_format="flat")
    assert (report.file_format, report.counts.responses_created) == ("flat", 4)


def test_progress_is_reported_up_to_the_file_size(project, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped(i) for i in range(5)])
    seen: list[tuple[int, int]] = []
    import_file(project=project, path=path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (path.stat().st_size, path.stat().st_size)


@pytest.mark.skipif(not POOL.exists(), reason=f"shared data not found at {POOL}")
def test_the_whole_shared_pool_imports_403_prompts_and_12895_responses(project):
    report = import_file(project=project, path=POOL)
    assert not report.refused, report.summary()
    assert Prompt.objects.filter(project=project).count() == 403
    assert Response.objects.filter(prompt__project=project).count() == 12895
    first = json.loads(POOL.open(encoding="utf-8").readline())
    prompt = Prompt.objects.get(project=project, external_id=str(first["prompt_id"]))
    assert prompt.metadata == {"dataset": first["dataset"]}
    assert (
        prompt.responses.get(model_name=first["responses"][0]["model"]).gold_score
        == (first["responses"][0]["gold_preference"])
    )


def test_a_later_file_with_the_opposite_preference_keeps_the_first_imported_label(
    project, tmp_path
):
    import_file(project=project, path=write_jsonl(tmp_path, "a.jsonl", [pair()]))
    flipped = pair(chosen="go away", rejected="Hello there!")
    report = import_file(project=project, path=write_jsonl(tmp_path, "b.jsonl", [flipped]))
    assert (report.counts.labels_created, report.counts.labels_existing) == (0, 1)
    label = Label.objects.get()
    chosen = label.pair.response_a if label.choice == "a" else label.pair.response_b
    assert chosen.text == "Hello there!"


def test_the_bulk_writer_still_meets_the_database_constraints(project):
    from django.db import IntegrityError, transaction

    from annotation.importing.bulk import BulkInsert

    rows = BulkInsert(Prompt, ["project_id", "external_id", "text", "metadata"])
    rows.insert([(project.id, "dup", "Q?", "{}"), (project.id, "dup", "Other?", "{}")])
    assert list(Prompt.objects.values_list("text", flat=True)) == ["Q?"]
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.insert([(project.id, "empty", "", "{}")])


def test_a_prompt_named_again_in_a_later_chunk_is_counted_once(project, tmp_path, monkeypatch):
    from annotation.importing import writer

    monkeypatch.setattr(writer, "PROMPTS_PER_CHUNK", 1)
    # Two prompts alternate, so every chunk holds one and each comes back in a later chunk.
    records = [pair("Q1", "a", "b"), pair("Q2", "c", "d"), pair("Q1", "a", "e")]
    path = write_jsonl(tmp_path, "p.jsonl", records)
    first = import_file(project=project, path=path).counts
    assert (first.prompts_created, first.prompts_existing) == (2, 0)
    again = import_file(project=project, path=path).counts
    assert (again.prompts_created, again.prompts_existing) == (0, 2)
    assert (again.responses_created, again.responses_existing) == (0, 5)
