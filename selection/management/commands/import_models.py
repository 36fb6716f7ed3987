from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.competency import CompetencyImportError, model_profiles_import
from selection.tasks import compute_buckets


class Command(BaseCommand):
    help = (
        "Load model competency from a CSV: one column as the scalar competency, the columns you "
        "name as the benchmark vector KARMA compares (default: the competency column alone). "
        "Re-running with the same file changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("csv", help="CSV file with a header row")
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--model-column", default="model")
        parser.add_argument("--competency-column", default="win_rate")
        parser.add_argument(
            "--benchmark-columns",
            default=None,
            help="comma-separated score columns for the benchmark vector "
            "(default: the competency column alone)",
        )

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        try:
            report = model_profiles_import(
                project=project,
                path=opts["csv"],
                model_column=opts["model_column"],
                competency_column=opts["competency_column"],
                benchmark_columns=_columns(opts["benchmark_columns"]),
            )
        except FileNotFoundError as exc:
            raise CommandError(f"cannot read {opts['csv']}: {exc.strerror}") from None
        except CompetencyImportError as exc:
            raise CommandError(f"nothing imported:\n{exc}") from None
        self.stdout.write(report.summary())
        # The pool changed: re-bucket it (in a worker when there is one).
        compute_buckets.delay(project.id)


def _columns(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    columns = [c.strip() for c in raw.split(",") if c.strip()]
    if not columns:
        raise CommandError("--benchmark-columns: name at least one column")
    return columns
