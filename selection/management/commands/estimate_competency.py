from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.estimate import competency_estimate
from selection.models import ModelProfile


class Command(BaseCommand):
    help = "Estimate model competency from the project's labels (Bradley–Terry, with std errors)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--bootstrap", type=int, default=30, help="resamples for std errors")
        parser.add_argument(
            "--replace-imported", action="store_true", help="also overwrite imported profiles"
        )

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        written = competency_estimate(
            project=project, boot=opts["bootstrap"], replace_imported=opts["replace_imported"]
        )
        if not written:
            raise CommandError("not enough decisive labels between named models to estimate")
        rows = ModelProfile.objects.filter(project=project, source="estimated").order_by(
            "-competency"
        )
        for p in rows:
            self.stdout.write(
                f"{p.model_name:40} {p.competency:+.2f} ± {p.benchmarks.get('bt_se', 0):.2f} "
                f"({p.benchmarks.get('comparisons', 0)} comparisons)"
            )
