from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from annotation.export.report import DEFAULT_TEST_SHARE
from annotation.export.service import ExportError, export_dpo
from annotation.export.writers import FORMATS


class Command(BaseCommand):
    help = (
        "Export a project's labeled pairs as a DPO dataset (prompt / chosen / rejected) that "
        "TRL's DPOTrainer loads as it is: JSONL, Parquet or a Hugging Face datasets folder."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("out", help="output folder (created if missing)")
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--format", default="jsonl", choices=FORMATS)
        parser.add_argument(
            "--conversational",
            action="store_true",
            help="prompt/chosen/rejected as chat message lists",
        )
        parser.add_argument(
            "--include-model-labels",
            action="store_true",
            help="also export pairs only a judge model labeled",
        )
        parser.add_argument(
            "--min-agreement",
            type=float,
            default=0.5,
            help="drop pairs whose majority share is below this",
        )
        parser.add_argument(
            "--test-share",
            type=float,
            default=DEFAULT_TEST_SHARE,
            help="share of prompts in the test split (split by prompt)",
        )
        parser.add_argument("--seed", type=int, default=0, help="seed of the prompt split")
        parser.add_argument(
            "--license",
            default="unspecified",
            help="licence written into the dataset card, e.g. cc-by-nc-4.0",
        )

    # fmt: skip

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        try:
            report = export_dpo(
                project=project, out_dir=Path(opts["out"]), fmt=opts["format"],
                conversational=opts["conversational"],
                include_model_labels=opts["include_model_labels"],
                min_agreement=opts["min_agreement"], test_share=opts["test_share"],
                seed=opts["seed"], license_name=opts["license"],
            )  # fmt: skip
        except ExportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{opts['out']}: {report.summary()}")
