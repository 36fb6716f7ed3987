from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from selection.competency import CompetencyImportError, model_profiles_import
from selection.models import ModelProfile
from tests.annotation.import_files import MODELS_CSV

pytestmark = pytest.mark.django_db

CSV = "model,win_rate,length_controlled_winrate,mode,family\n"


def _csv(tmp_path, body: str):
    path = tmp_path / "models.csv"
    path.write_text(CSV + body, encoding="utf-8")
    return path


def test_by_default_the_vector_is_the_competency_column_alone(project, tmp_path):
    path = _csv(tmp_path, "a,10.5,12,verified,X\nb,11,15,community,Y\n")
    report = model_profiles_import(
        project=project, path=path, competency_column="length_controlled_winrate"
    )
    assert report.created == 2
    a = ModelProfile.objects.get(model_name="a")
    assert (a.competency, a.source) == (12.0, "imported")
    assert a.benchmarks == {"length_controlled_winrate": 12.0}
    assert report.benchmark_columns == ["length_controlled_winrate"]
    assert report.left_out == ["win_rate"]
    assert "numeric columns left out of the vector: win_rate" in report.summary()


def test_the_chosen_columns_form_the_vector_and_an_empty_cell_is_left_out(project, tmp_path):
    path = _csv(tmp_path, "a,10.5,12,verified,X\nb,,15,community,Y\nc,3,4,v,Z\n")
    columns = ["win_rate", "length_controlled_winrate"]
    model_profiles_import(project=project, path=path, competency_column="length_controlled_winrate",
                          benchmark_columns=columns)  # fmt: skip
    assert ModelProfile.objects.get(model_name="a").benchmarks == {
        "win_rate": 10.5, "length_controlled_winrate": 12.0
    }  # fmt: skip
    # An empty cell is left out of the vector (KARMA fills it with the column mean).
    assert ModelProfile.objects.get(model_name="b").benchmarks == {
        "length_controlled_winrate": 15.0
    }


def test_a_benchmark_cell_that_is_not_a_number_is_refused_with_line_and_field(project, tmp_path):
    path = _csv(tmp_path, "a,10,1,v,X\nb,11,1,v,Y\n")
    with pytest.raises(CompetencyImportError) as caught:
        model_profiles_import(project=project, path=path, benchmark_columns=["win_rate", "mode"])
    assert str(caught.value) == (
        "models.csv:2: field 'mode': expected a number, got 'v'\n"
        "models.csv:3: field 'mode': expected a number, got 'v'"
    )
    with pytest.raises(CompetencyImportError, match=r"models.csv:1: field 'elo': missing column"):
        model_profiles_import(project=project, path=path, benchmark_columns=["elo"])
    assert not ModelProfile.objects.exists()


def test_spaces_around_header_names_do_not_break_the_rows(project, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text(" model , win_rate \na,10\n", encoding="utf-8")
    model_profiles_import(project=project, path=path)
    assert ModelProfile.objects.get().benchmarks == {"win_rate": 10.0}


def test_a_warned_column_is_still_imported_and_the_report_says_why(project, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("model,win_rate,avg_length\na,10,300\n", encoding="utf-8")
    report = model_profiles_import(project=project, path=path,
                                   benchmark_columns=["win_rate", "avg_length"])  # fmt: skip
    assert ModelProfile.objects.get().benchmarks == {"win_rate": 10.0, "avg_length": 300.0}
    assert "warning: benchmark column 'avg_length' looks like a length" in report.summary()


def test_an_empty_competency_cell_is_refused_with_its_line(project, tmp_path):
    path = _csv(tmp_path, "a,10.5,12,verified,X\nb,20,,community,Y\n")
    with pytest.raises(CompetencyImportError) as caught:
        model_profiles_import(
            project=project, path=path, competency_column="length_controlled_winrate"
        )
    assert (
        str(caught.value)
        == "models.csv:3: field 'length_controlled_winrate': expected a number, got ''"
    )
    assert not ModelProfile.objects.exists()


def test_a_non_numeric_competency_is_refused_with_its_line(project, tmp_path):
    path = _csv(tmp_path, "a,10,1,v,X\nb,high,2,v,Y\n")
    with pytest.raises(
        CompetencyImportError,
        match=r"models.csv:3: field 'win_rate': expected a number, got 'high'",
    ):
        model_profiles_import(project=project, path=path)
    assert not ModelProfile.objects.exists()


def test_a_missing_column_is_named(project, tmp_path):
    path = _csv(tmp_path, "a,10,1,v,X\n")
    with pytest.raises(CompetencyImportError, match=r"models.csv:1: field 'elo': missing column"):
        model_profiles_import(project=project, path=path, competency_column="elo")


def test_duplicate_model_rows_name_both_lines(project, tmp_path):
    path = _csv(tmp_path, "a,10,1,v,X\nb,11,1,v,X\na,12,1,v,X\n")
    with pytest.raises(
        CompetencyImportError,
        match=r"models.csv:4: field 'model': duplicate model 'a': also on line 2",
    ):
        model_profiles_import(project=project, path=path)


def test_reimporting_changes_nothing_and_a_new_value_updates_the_profile(project, tmp_path):
    path = _csv(tmp_path, "a,10,1,v,X\n")
    model_profiles_import(project=project, path=path)
    again = model_profiles_import(project=project, path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    path.write_text(CSV + "a,30,1,v,X\n")
    changed = model_profiles_import(project=project, path=path)
    assert changed.updated == 1
    assert ModelProfile.objects.get().competency == 30.0


@pytest.mark.skipif(not MODELS_CSV.exists(), reason=f"shared data not found at {MODELS_CSV}")
def test_the_shared_leaderboard_csv_gives_32_profiles_with_benchmark_vectors(project, capsys):
    columns = "wr_helpful_base,wr_koala,wr_oasst,wr_selfinstruct,wr_vicuna"
    args = [str(MODELS_CSV), "--project", project.slug, "--benchmark-columns", columns]
    call_command("import_models", *args)
    printed = capsys.readouterr().out
    assert "32 created" in printed
    assert f"benchmark vector: {columns.replace(',', ', ')}" in printed
    assert "left out of the vector: win_rate, length_controlled_winrate, n_responses" in printed
    profiles = ModelProfile.objects.filter(project=project)
    assert profiles.count() == 32
    gpt4 = profiles.get(model_name="gpt4_1106_preview")
    assert gpt4.competency == pytest.approx(50.0)
    assert set(gpt4.benchmarks) == set(columns.split(","))
    call_command("import_models", *args)
    assert "32 unchanged" in capsys.readouterr().out


def test_the_command_reports_an_unknown_project_and_a_refused_file(project, tmp_path):
    with pytest.raises(CommandError, match="no project with slug 'nope'"):
        call_command("import_models", "x.csv", "--project", "nope")
    path = _csv(tmp_path, "a,x,1,v,X\n")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_models", str(path), "--project", project.slug)
