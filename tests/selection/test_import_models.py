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


def test_profiles_take_the_chosen_column_and_keep_numeric_columns_as_benchmarks(project, tmp_path):
    path = _csv(tmp_path, "a,10.5,12,verified,X\nb,,15,community,Y\n")
    report = model_profiles_import(
        project=project, path=path, competency_column="length_controlled_winrate"
    )
    assert report.created == 2
    a = ModelProfile.objects.get(model_name="a")
    assert (a.competency, a.source) == (12.0, "imported")
    assert a.benchmarks == {"win_rate": 10.5, "length_controlled_winrate": 12.0}
    # An empty cell is left out of the vector (KARMA fills it with the column mean).
    assert ModelProfile.objects.get(model_name="b").benchmarks == {
        "length_controlled_winrate": 15.0
    }


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
    call_command("import_models", str(MODELS_CSV), "--project", project.slug)
    assert "32 created" in capsys.readouterr().out
    profiles = ModelProfile.objects.filter(project=project)
    assert profiles.count() == 32
    gpt4 = profiles.get(model_name="gpt4_1106_preview")
    assert gpt4.competency == pytest.approx(50.0)
    assert {"win_rate", "length_controlled_winrate", "avg_length"} <= set(gpt4.benchmarks)
    assert "mode" not in gpt4.benchmarks
    assert "family" not in gpt4.benchmarks
    call_command("import_models", str(MODELS_CSV), "--project", project.slug)
    assert "32 unchanged" in capsys.readouterr().out


def test_the_command_reports_an_unknown_project_and_a_refused_file(project, tmp_path):
    with pytest.raises(CommandError, match="no project with slug 'nope'"):
        call_command("import_models", "x.csv", "--project", "nope")
    path = _csv(tmp_path, "a,x,1,v,X\n")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_models", str(path), "--project", project.slug)
