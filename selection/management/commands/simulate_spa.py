from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.effort.services import SPA_SIM_DEFAULTS, EffortError, spa_sim_params
from selection.models import EffortRun


class Command(BaseCommand):
    help = (
        "Before an SPA round: fit the embedding judge on a simulated human seed and report, per "
        "confidence threshold, the share of pairs it would label and its accuracy against gold, "
        "beside simulated people and the length rule. The latest result also shows on the SPA "
        "confirmation page."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument(
            "--seed-labels",
            type=int,
            default=SPA_SIM_DEFAULTS["seed_labels"],
            help="human labels the judge is fitted on (SPA's minimum seed)",
        )
        parser.add_argument(
            "--thresholds", default=",".join(map(str, SPA_SIM_DEFAULTS["thresholds"]))
        )
        parser.add_argument("--seeds", type=int, default=SPA_SIM_DEFAULTS["seeds"])
        parser.add_argument("--noise", type=float, default=SPA_SIM_DEFAULTS["noise"])
        parser.add_argument("--tie-margin", type=float, default=SPA_SIM_DEFAULTS["tie_margin"])
        parser.add_argument("--json", dest="json_out", default=None, help="write the result here")

    def handle(self, *args, **opts) -> None:
        from selection.effort.services import effort_run_execute

        project = get_project_for_command(opts["project"])
        raw = {k: opts[k] for k in ("seed_labels", "seeds", "noise", "tie_margin")}
        raw["thresholds"] = [t for t in opts["thresholds"].split(",") if t.strip()]
        try:
            params = spa_sim_params(raw)
        except EffortError as exc:
            raise CommandError(str(exc)) from None
        run = EffortRun.objects.create(project=project, kind=EffortRun.Kind.SPA, params=params)
        run = effort_run_execute(run_id=run.id)
        if run.status != EffortRun.Status.DONE:
            raise CommandError(f"SPA simulation {run.id} failed: {run.error}")
        if opts["json_out"]:
            Path(opts["json_out"]).write_text(json.dumps(run.result, indent=2))
        for line in report_lines(run.result):
            self.stdout.write(line)


def report_lines(result: dict) -> list[str]:
    q = result["confidence_quantiles"]
    lines = [
        f"embedding judge fitted on {result['seed_labels']} simulated human labels, "
        f"{result['candidates']} candidate pairs per seed, {result['seeds']} seeds",
        "confidence quantiles 10/50/90/99%: " + " / ".join(f"{v:.3f}" for v in q.values()),
        f"{'threshold':>9} {'share':>7} {'accuracy':>9} {'(min–max)':>13} {'pairs':>7}",
    ]
    for row in result["thresholds"]:
        acc = row["accuracy"]
        spread = f"{acc['min']:.2f}–{acc['max']:.2f}" if acc else "—"
        mean = f"{acc['mean']:.3f}" if acc else "—"
        lines.append(
            f"{row['threshold']:9.2f} {row['share']['mean']:7.2f} {mean:>9} {spread:>13} "
            f"{row['pairs']:7.0f}"
        )
    lines.append(
        f"on the same pairs: simulated people {result['people_accuracy']['mean']:.3f}, "
        f"the length rule (longer wins) {result['length_accuracy']['mean']:.3f}"
    )
    return lines
