from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from annotation.importing.report import MAX_LISTED_ISSUES
from annotation.importing.service import import_file
from annotation.models import Label, Pair, Project, Prompt, Response
from tests.annotation.import_files import FLAT_ROWS, grouped, pair, write_jsonl

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Prompt.objects.count(),
        Response.objects.count(),
        Pair.objects.count(),
        Label.objects.count(),
    )


def _only_issue(report) -> str:
    assert report.refused
    assert report.issue_count == 1, [str(i) for i in report.issues]
    return str(report.issues[0])


def test_malformed_json_is_reported_with_file_and_line(project, tmp_path):
    path = write_jsonl(tmp_path, "bad.jsonl", [grouped(0), '{"prompt_id": 1, "prompt": '])
    message = _only_issue(import_file(project=project, path=path))
    assert message.startswith("bad.jsonl:2: malformed JSON")


def test_a_missing_field_names_line_and_field(project, tmp_path):
    broken = grouped(1)
    del broken["responses"][1]["text"]
    path = write_jsonl(tmp_path, "pool.jsonl", [grouped(0), broken])
    message = _only_issue(import_file(project=project, path=path))
    assert message == "pool.jsonl:2: field 'responses[1].text': missing"


def test_a_wrong_type_says_what_was_expected_and_what_came(project, tmp_path):
    broken = grouped(0)
    broken["responses"][3 - 1]["text"] = 42
    path = write_jsonl(tmp_path, "pool.jsonl", [broken])
    message = _only_issue(import_file(project=project, path=path))
    assert message == "pool.jsonl:1: field 'responses[2].text': expected a string, got 42"


def test_an_empty_prompt_is_refused(project, tmp_path):
    path = write_jsonl(tmp_path, "p.jsonl", [pair(), pair(prompt="   ")])
    assert (
        _only_issue(import_file(project=project, path=path)) == "p.jsonl:2: field 'prompt': empty"
    )


def test_an_unknown_format_name_is_refused(project, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped(0)])
    message = _only_issue(import_file(project=project, path=path, file_format="xml"))
    assert "unknown format 'xml'" in message


def test_records_of_no_known_shape_are_an_unknown_format(project, tmp_path):
    path = write_jsonl(tmp_path, "odd.jsonl", [{"question": "?", "answer": "!"}])
    message = _only_issue(import_file(project=project, path=path))
    assert message.startswith("odd.jsonl: unknown format")
    assert "answer, question" in message


def test_an_unknown_file_type_is_refused(project, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    assert "unknown file type (.txt)" in _only_issue(import_file(project=project, path=path))


def test_bad_utf8_is_reported_on_its_line(project, tmp_path):
    path = write_jsonl(tmp_path, "enc.jsonl", [grouped(0), grouped(1), grouped(2)])
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"What", b"Wh\xff\xfet")
    path.write_bytes(b"\n".join(lines))
    message = _only_issue(import_file(project=project, path=path))
    assert message.startswith("enc.jsonl:2: bad encoding: not valid UTF-8")


def test_bad_utf8_in_a_csv_is_reported_on_its_line(project, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"prompt_id,prompt,model,response\np1,Q?,m1,ok\np1,Q?,m2,caf\xe9\n")
    message = _only_issue(import_file(project=project, path=path))
    assert message.startswith("f.csv:3: bad encoding")


def test_a_nul_character_is_refused_where_it_is_and_nothing_is_stored(project, tmp_path):
    in_text = grouped(1)
    in_text["responses"][2]["text"] = "fine\x00"
    in_metadata = grouped(2, source={"notes": ["ok", "x\x00"]})
    path = write_jsonl(tmp_path, "nul.jsonl", [grouped(0), in_text, in_metadata])
    report = import_file(project=project, path=path)
    assert report.refused
    assert [str(issue) for issue in report.issues] == [
        "nul.jsonl:2: field 'responses[2].text': contains a NUL character (\\u0000) at character 5",
        "nul.jsonl:3: field 'source.notes[1]': contains a NUL character (\\u0000) at character 2",
    ]
    assert _counts() == (0, 0, 0, 0)


def _with_nul_in_a_response_s_extra_field() -> dict:
    record = grouped(0)
    record["responses"][1]["note"] = "n\x00"
    return record


@pytest.mark.parametrize(
    ("record", "field"),
    [
        (_with_nul_in_a_response_s_extra_field(), "responses[1].note"),
        (grouped("p\x00"), "prompt_id"),
        (pair(chosen=[{"role": "assistant", "content": "hi\x00"}]), "chosen[0].content"),
        (pair(**{"tag\x00": "x"}), "tag\x00"),
        ({**FLAT_ROWS[0], "origin": ["web", "\x00"]}, "origin[1]"),
    ],
)
def test_a_nul_character_is_refused_in_every_part_of_every_format(project, tmp_path, record, field):
    path = write_jsonl(tmp_path, "nul.jsonl", [record])
    message = _only_issue(import_file(project=project, path=path))
    assert message.startswith(f"nul.jsonl:1: field '{field}': contains a NUL character")
    assert _counts() == (0, 0, 0, 0)


def test_a_nul_character_in_a_csv_cell_names_its_line_and_column(project, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"prompt_id,prompt,model,response\np1,Q?,m1,ok\np1,Q?,m2,o\x00k\n")
    report = import_file(project=project, path=path, skip_invalid=True)
    assert [str(issue) for issue in report.issues] == [
        "f.csv:3: field 'response': contains a NUL character (\\u0000) at character 2"
    ]
    assert list(Response.objects.values_list("text", flat=True)) == ["ok"]


def test_a_csv_without_a_required_column_names_it_on_line_1(project, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("prompt_id,prompt,model,answer\np1,Q?,m1,ok\n")
    message = _only_issue(import_file(project=project, path=path, file_format="flat"))
    assert message.startswith("f.csv:1: field 'response': missing column")


def test_a_duplicate_prompt_id_names_both_lines(project, tmp_path):
    path = write_jsonl(tmp_path, "d.jsonl", [grouped(7), grouped(8), grouped(7)])
    message = _only_issue(import_file(project=project, path=path))
    assert message == "d.jsonl:3: field 'prompt_id': duplicate id '7': also on line 1"


def test_a_duplicate_model_within_a_prompt_names_both_positions(project, tmp_path):
    path = write_jsonl(tmp_path, "d.jsonl", [grouped(1, models=("m1", "m2", "m1"))])
    message = _only_issue(import_file(project=project, path=path))
    assert (
        message == "d.jsonl:1: field 'responses[2].model': duplicate model 'm1': also responses[0]"
    )


def test_a_duplicate_flat_row_names_both_lines(project, tmp_path):
    path = write_jsonl(tmp_path, "f.jsonl", [*FLAT_ROWS, FLAT_ROWS[1]])
    message = _only_issue(import_file(project=project, path=path))
    assert message == "f.jsonl:5: field 'model': duplicate 'm2' for this prompt_id: also on line 2"


def test_a_duplicate_pair_names_both_lines(project, tmp_path):
    swapped = pair(chosen="go away", rejected="Hello there!")
    message = _only_issue(
        import_file(project=project, path=write_jsonl(tmp_path, "p.jsonl", [pair(), swapped]))
    )
    assert message.startswith(
        "p.jsonl:2: field 'chosen': duplicate this pair of responses: also on line 1"
    )


def test_a_refused_file_changes_no_counts_even_after_full_chunks(project, tmp_path, monkeypatch):
    monkeypatch.setattr("annotation.importing.writer.PROMPTS_PER_CHUNK", 2)
    import_file(project=project, path=write_jsonl(tmp_path, "ok.jsonl", [pair()]))
    before = _counts()
    records = [grouped(i) for i in range(6)] + ['{"oops"']
    report = import_file(project=project, path=write_jsonl(tmp_path, "g.jsonl", records))
    assert report.refused
    assert report.counts.prompts_created == 0
    assert _counts() == before


def test_every_problem_is_listed_up_to_a_cap_with_the_total(project, tmp_path):
    records = ["not json"] * (MAX_LISTED_ISSUES + 5) + [grouped(0)]
    report = import_file(project=project, path=write_jsonl(tmp_path, "many.jsonl", records))
    assert report.refused
    assert (report.issue_count, len(report.issues)) == (MAX_LISTED_ISSUES + 5, MAX_LISTED_ISSUES)
    assert "... and 5 more" in report.summary()


def test_skip_invalid_keeps_the_good_records_and_reports_the_rest(project, tmp_path):
    bad = grouped(1)
    bad["responses"][0]["gold_preference"] = "high"
    records = [grouped(0), bad, "[1, 2]", grouped(2)]
    path = write_jsonl(tmp_path, "mixed.jsonl", records)
    report = import_file(project=project, path=path, skip_invalid=True)
    assert not report.refused
    assert (report.records_kept, report.records_skipped, report.issue_count) == (2, 2, 2)
    assert sorted(Prompt.objects.values_list("external_id", flat=True)) == ["0", "2"]
    assert [str(i) for i in report.issues] == [
        "mixed.jsonl:2: field 'responses[0].gold_preference': expected a number, got 'high'",
        "mixed.jsonl:3: expected a JSON object on each line, got a list",
    ]


def test_conversational_chosen_with_user_turns_is_refused_with_a_hint(project, tmp_path):
    record = pair(
        chosen=[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]
    )
    message = _only_issue(
        import_file(project=project, path=write_jsonl(tmp_path, "c.jsonl", [record]))
    )
    assert "field 'chosen[0].role': expected assistant turns only" in message


def test_a_pair_whose_two_texts_are_the_same_is_refused(project, tmp_path):
    path = write_jsonl(tmp_path, "p.jsonl", [pair(chosen="same", rejected="same")])
    assert "field 'rejected': the same text as 'chosen'" in _only_issue(
        import_file(project=project, path=path)
    )


def test_an_empty_file_is_refused(project, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    assert (
        _only_issue(import_file(project=project, path=path))
        == "empty.jsonl: the file holds no records"
    )


def test_the_command_creates_the_project_and_prints_the_summary(db, tmp_path, capsys):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped(0)])
    call_command("import_data", str(path), "--project", "new-pool")
    assert "1 records imported" in capsys.readouterr().out
    assert Prompt.objects.get().project.name == "New Pool"


def test_the_command_fails_listing_the_problems_and_imports_nothing(db, tmp_path):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped(0), '{"x": 1}'])
    with pytest.raises(CommandError, match=r"g.jsonl:2: field 'prompt_id': missing"):
        call_command("import_data", str(path), "--project", "p")
    assert Prompt.objects.count() == 0
    assert not Project.objects.filter(slug="p").exists()


def test_the_command_with_skip_invalid_imports_the_good_lines(db, tmp_path, capsys):
    path = write_jsonl(tmp_path, "g.jsonl", [grouped(0), '{"x": 1}'])
    call_command("import_data", str(path), "--project", "p", "--skip-invalid")
    assert "skipped 1 invalid records" in capsys.readouterr().out
    assert Prompt.objects.count() == 1
