"""export_dpo end to end: the files, the card, the command, and TRL's DPOTrainer as consumer."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from annotation.export.service import ExportError, export_dpo
from annotation.models import Label
from tests.factories import PairFactory, PromptFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def answer(pair, who, choice, source="human", **extra):
    return Label.objects.create(pair=pair, annotator=who, choice=choice, source=source, **extra)


@pytest.fixture
def labeled(project):
    """Ten prompts with a decided pair each, plus one tie, one split vote, one model-only pair,
    and a second pair that repeats an exported row."""
    people = [UserFactory() for _ in range(2)]
    for i in range(10):
        prompt = PromptFactory(project=project, external_id=f"p{i}", text=f"Question {i}?")
        a = ResponseFactory(prompt=prompt, text=f"good {i}", model_name="strong")
        b = ResponseFactory(prompt=prompt, text=f"bad {i}", model_name="weak")
        pair = PairFactory(project=project, prompt=prompt, response_a=a, response_b=b, arm="real",
                           strategy="dissimilar")  # fmt: skip
        answer(pair, people[0], "a")
        answer(pair, people[1], "a")
    tie, split, model_only = (PairFactory(project=project) for _ in range(3))
    answer(tie, people[0], "tie")
    answer(split, people[0], "a")
    answer(split, people[1], "b")
    Label.objects.create(pair=model_only, choice="b", source="model", confidence=0.8, judge="j")
    first = project.pairs.filter(arm="real").order_by("id").first()
    repeat = PairFactory(project=project, prompt=first.prompt, response_a=first.response_a,
                         response_b=first.response_b, arm="again")  # fmt: skip
    answer(repeat, people[0], "a")
    return project


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_jsonl_holds_the_decided_pairs_and_the_card_counts_the_rest(labeled, tmp_path):
    report = export_dpo(project=labeled, out_dir=tmp_path, fmt="jsonl")
    rows = read_jsonl(tmp_path / "train.jsonl")
    assert len(rows) == report.rows == 10
    assert {(r["chosen"].split()[0], r["rejected"].split()[0]) for r in rows} == {("good", "bad")}
    assert (rows[0]["label_source"], rows[0]["n_labels"]) == ("human", 2)
    assert report.dropped == {"tie": 1, "no_majority": 1, "model_only": 1}
    assert report.duplicates == 1
    card = (tmp_path / "README.md").read_text()
    assert "| tie | 1 |" in card
    assert "| no_majority | 1 |" in card
    assert "| real | dissimilar | 10 |" in card
    assert "license: unspecified" in card
    assert "Test split: 0% of prompts" in card
    assert "`--test-share`, default 0%: everything in train" in card


def test_model_labels_come_in_when_asked(labeled, tmp_path):
    report = export_dpo(project=labeled, out_dir=tmp_path, include_model_labels=True)
    model_rows = [r for r in read_jsonl(tmp_path / "train.jsonl") if r["label_source"] == "model"]
    assert len(model_rows) == 1
    assert model_rows[0]["confidence"] == 0.8
    assert "model_only" not in report.dropped


def test_the_test_split_never_shares_a_prompt_with_train(labeled, tmp_path):
    report = export_dpo(project=labeled, out_dir=tmp_path, test_share=0.4, seed=3)
    assert "Test split: 40% of prompts, drawn by a hash of the prompt with seed\n3" in (
        (tmp_path / "README.md").read_text()
    )
    train, test = read_jsonl(tmp_path / "train.jsonl"), read_jsonl(tmp_path / "test.jsonl")
    assert train
    assert test
    assert not {r["prompt_id"] for r in train} & {r["prompt_id"] for r in test}
    assert report.splits == {"train": len(train), "test": len(test)}


@pytest.mark.parametrize("conversational", [False, True])
def test_every_format_loads_with_datasets(labeled, tmp_path, conversational):
    from datasets import load_dataset, load_from_disk

    for fmt in ("jsonl", "parquet", "hf"):
        export_dpo(project=labeled, out_dir=tmp_path / fmt, fmt=fmt, conversational=conversational)
    jsonl = load_dataset("json", data_files=str(tmp_path / "jsonl" / "train.jsonl"))["train"]
    parquet = load_dataset("parquet", data_files=str(tmp_path / "parquet" / "train.parquet"))
    disk = load_from_disk(str(tmp_path / "hf"))["train"]
    for dataset in (jsonl, parquet["train"], disk):
        assert dataset.num_rows == 10
        assert {"prompt", "chosen", "rejected", "pair_id", "smoothing_weight"} <= set(
            dataset.column_names
        )
    first = disk[0]["chosen"]
    assert (first[0]["role"] == "assistant") if conversational else first.startswith("good")


def test_bad_options_are_refused(labeled, tmp_path):
    with pytest.raises(ExportError, match="format: 'xml'"):
        export_dpo(project=labeled, out_dir=tmp_path, fmt="xml")
    with pytest.raises(CommandError, match="min_agreement"):
        call_command("export_dpo", str(tmp_path), "--project", "demo", "--min-agreement", "2")
    with pytest.raises(CommandError, match="no project with slug 'nope'"):
        call_command("export_dpo", str(tmp_path), "--project", "nope")


def test_the_command_writes_parquet_and_says_what_it_kept(labeled, tmp_path, capsys):
    call_command("export_dpo", str(tmp_path), "--project", "demo", "--format", "parquet",
                 "--license", "cc-by-nc-4.0")  # fmt: skip
    assert (tmp_path / "train.parquet").exists()
    assert "license: cc-by-nc-4.0" in (tmp_path / "README.md").read_text()
    assert "10 rows (train 10) from 14 pairs" in capsys.readouterr().out


@pytest.mark.parametrize("conversational", [False, True])
def test_trl_dpo_trainer_takes_a_training_step_on_the_export(labeled, tmp_path, conversational):
    """The real consumer: TRL's DPOTrainer, one step on a tiny GPT-2 built from a config."""
    import torch
    from datasets import load_from_disk
    from trl import DPOConfig, DPOTrainer

    from tests.tiny_lm import tiny_gpt2, tiny_tokenizer

    export_dpo(project=labeled, out_dir=tmp_path / "hf", fmt="hf", conversational=conversational)
    dataset = load_from_disk(str(tmp_path / "hf"))["train"]
    tokenizer = tiny_tokenizer()
    model = tiny_gpt2(tokenizer)
    before = [p.detach().clone() for p in model.parameters()]
    args = DPOConfig(
        output_dir=str(tmp_path / "trl"), max_steps=1, per_device_train_batch_size=4,
        report_to=[], max_length=128, save_strategy="no", use_cpu=True, learning_rate=1e-2,
        beta=0.1, logging_steps=1,
    )  # fmt: skip
    trainer = DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=args,
                         train_dataset=dataset, processing_class=tokenizer)  # fmt: skip
    output = trainer.train()
    assert trainer.state.global_step == 1
    assert torch.isfinite(torch.tensor(output.training_loss))
    assert any((b != a.detach()).any() for b, a in zip(before, model.parameters(), strict=True))


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_an_imported_pair_keeps_its_own_pair_id_through_export(project, tmp_path, fmt):
    from annotation.importing.service import import_file
    from tests.annotation.import_files import pair, write_jsonl

    records = [pair(pair_id="abc-1"), pair("Q2", "x", "y", pair_id=7), pair("Q3", "u", "v")]
    report = import_file(project=project, path=write_jsonl(tmp_path, "p.jsonl", records))
    assert not report.refused, report.summary()
    out = tmp_path / "out"
    export_dpo(project=project, out_dir=out, fmt=fmt)
    if fmt == "jsonl":
        rows = read_jsonl(out / "train.jsonl")
    else:
        import pyarrow.parquet as pq

        rows = pq.read_table(out / "train.parquet").to_pylist()
    by_prompt = {r["prompt"]: r["source_pair_id"] for r in rows}
    assert by_prompt == {"Say hi": "abc-1", "Q2": "7", "Q3": None}
    assert "`source_pair_id` (the imported file's own `pair_id`" in (out / "README.md").read_text()


def test_a_pair_id_given_twice_in_a_file_is_refused_with_its_line(project, tmp_path):
    from annotation.importing.service import import_file
    from tests.annotation.import_files import pair, write_jsonl

    records = [pair(pair_id="same"), pair("Q2", "x", "y", pair_id="same")]
    report = import_file(project=project, path=write_jsonl(tmp_path, "p.jsonl", records))
    assert "p.jsonl:2: field 'pair_id': duplicate id 'same': also on line 1" in report.summary()
