from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.models import SelectionRun
from selection.runs.services import SelectionError, selection_run_start
from selection.strategies import STRATEGIES


class Command(BaseCommand):
    help = "Select pairs for a project with a named strategy; they join the annotation queue."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--strategy", required=True, help=f"one of: {', '.join(STRATEGIES)}")
        parser.add_argument("--pairs-per-prompt", type=int, default=1)
        parser.add_argument(
            "--budget",
            type=int,
            default=None,
            help="at most this many pairs (uncertain: the batch size, default 50)",
        )
        parser.add_argument("--arm", default=None, help="queue arm name (default: the strategy)")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--weight", type=float, default=1.0, help="how often this arm comes up vs others"
        )
        parser.add_argument(
            "--min-kinship",
            type=float,
            default=None,
            help="kinship only: never pair models less kin than this (KARMA's 'kin' is 0.9)",
        )

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        if opts["pairs_per_prompt"] < 1:
            raise CommandError("--pairs-per-prompt must be at least 1")
        params = {
            "pairs_per_prompt": opts["pairs_per_prompt"],
            "seed": opts["seed"],
            "weight": opts["weight"],
        }
        if opts["budget"] is not None:
            params["budget"] = opts["budget"]
        if opts["min_kinship"] is not None:
            if opts["strategy"] != "kinship":
                raise CommandError("--min-kinship applies to --strategy kinship only")
            params["options"] = {"min_kinship": opts["min_kinship"]}
        try:
            run = selection_run_start(
                project=project, strategy=opts["strategy"], arm=opts["arm"], params=params
            )
        except SelectionError as exc:
            raise CommandError(str(exc)) from None
        run.refresh_from_db()
        self._report(run)

    def _report(self, run: SelectionRun) -> None:
        if run.status == SelectionRun.Status.FAILED:
            raise CommandError(f"selection run {run.id} failed: {run.error}")
        if run.status != SelectionRun.Status.DONE:
            self.stdout.write(f"selection run {run.id} queued ({run.strategy}, arm {run.arm})")
            return
        counts = run.counts
        fitted = counts.get("labels_fitted")
        model = "" if fitted is None else f"; reward model fitted on {fitted} labels"
        self.stdout.write(
            f"selection run {run.id}: {counts.get('pairs_created', 0)} new pairs in arm "
            f"{run.arm!r}, on {counts.get('prompts_with_pairs', 0)} of "
            f"{counts.get('prompts_considered', 0)} prompts{model} ({run.timings.get('seconds')} s)"
        )
