from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.effort.services import DEFAULTS, EffortError, simulation_params
from selection.effort.simulate import FEATURES
from selection.models import EffortRun


class Command(BaseCommand):
    help = (
        "Simulate annotators answering from gold scores and report, per strategy, the labels "
        "needed to reach a target accuracy and the effort saved against random. Runs in this "
        "process; the result also appears on the project's effort dashboard."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--strategies", default=",".join(DEFAULTS["strategies"]))
        parser.add_argument("--seeds", type=int, default=DEFAULTS["seeds"])
        parser.add_argument(
            "--noise",
            type=float,
            default=DEFAULTS["noise"],
            help="τ of the simulated annotators, in gold units (log-odds)",
        )
        parser.add_argument(
            "--tie-margin",
            type=float,
            default=DEFAULTS["tie_margin"],
            help="gold differences below this are answered as ties",
        )
        parser.add_argument(
            "--target",
            type=float,
            default=None,
            help="target accuracy q (default: set by --target-share)",
        )
        parser.add_argument(
            "--target-share",
            type=float,
            default=DEFAULTS["target_share"],
            help="the target as a share of the way from random's accuracy after its first "
            "labels to the ceiling (the oracle's final accuracy)",
        )
        parser.add_argument(
            "--features",
            default=DEFAULTS["features"],
            choices=FEATURES,
            help="what the reward model sees of a response",
        )
        parser.add_argument(
            "--uncertain-batch",
            type=int,
            default=DEFAULTS["uncertain_batch"],
            help="labels between re-fits of the uncertain (active learning) arm",
        )
        parser.add_argument("--pairs-per-prompt", type=int, default=DEFAULTS["pairs_per_prompt"])
        parser.add_argument(
            "--eval-share",
            type=float,
            default=DEFAULTS["eval_share"],
            help="share of prompts held out for evaluation",
        )
        parser.add_argument("--gold-scale", default="auto", choices=["auto", "logodds", "raw"])
        parser.add_argument(
            "--boot",
            type=int,
            default=DEFAULTS["boot"],
            help="bootstrap resamples for the intervals",
        )
        parser.add_argument("--json", dest="json_out", default=None, help="write the result here")

    # fmt: skip

    def handle(self, *args, **opts) -> None:
        from selection.effort.services import effort_run_execute

        project = get_project_for_command(opts["project"])
        raw = {key: opts[key] for key in DEFAULTS if key != "strategies"}
        raw["strategies"] = [s.strip() for s in opts["strategies"].split(",") if s.strip()]
        try:
            params = simulation_params(raw)
        except EffortError as exc:
            raise CommandError(str(exc)) from None
        run = EffortRun.objects.create(project=project, kind=EffortRun.Kind.SIMULATION,
                                       params=params)  # fmt: skip
        run = effort_run_execute(run_id=run.id)
        if run.status != EffortRun.Status.DONE:
            raise CommandError(f"simulation {run.id} failed: {run.error}")
        if opts["json_out"]:
            Path(opts["json_out"]).write_text(json.dumps(run.result, indent=2))
        self._report(run)

    def _report(self, run: EffortRun) -> None:
        result = run.result
        self.stdout.write(
            f"simulation {run.id}: {result['prompts']} prompts, {result['eval_pairs']} evaluation "
            f"pairs per seed, {run.params['seeds']} seeds, {run.seconds:.1f} s"
        )
        self.stdout.write(_target_line(result))
        header = f"{'strategy':18} {'labels':>7} {'N(q)':>7} {'saved':>7} {'95% interval':>17} "
        self.stdout.write(header + f"{'saved s':>8} {'uninf':>6} {'error':>6}")
        for name, arm in result["arms"].items():
            self.stdout.write(_row(name, arm))
        self.stdout.write(
            "— : the target was not reached within the labels simulated; −∞ : more than 2.5% of "
            "the resamples missed it"
        )


def _target_line(result: dict) -> str:
    share = result.get("target_share")
    how = (
        f"{share:.0%} of the way from random's start {result['start']:.3f} to the ceiling "
        f"{result['ceiling']:.3f}"
        if share is not None
        else "set by --target"
    )
    return (
        f"target accuracy {result['target']:.3f} ({how}); the length rule "
        f"(longer response wins) scores {result['length_accuracy']:.3f}"
    )


def _row(name: str, arm: dict) -> str:
    ci = arm.get("saved_labels_ci")
    interval = f"[{_num(ci[0], '+.2f', '−∞')}, {ci[1]:+.2f}]" if ci else "—"
    note = f"  ({'; '.join(arm['short'])})" if arm.get("short") else ""
    return (
        f"{name:18} {arm['labels']:7.0f} {_num(arm['labels_to_target'], '7.0f')} "
        f"{_num(arm['saved_labels'], '+7.2f')} {interval:>17} "
        f"{_num(arm['saved_seconds'], '+8.2f')} {_num(arm['uninformative_rate'], '6.2f')} "
        f"{_num(arm['label_error'], '6.2f')}{note}"
    )


def _num(value, spec: str, missing: str = "—") -> str:
    width = int(spec.lstrip("+").split(".")[0] or 0)
    return missing.rjust(width) if value is None else format(value, spec)
