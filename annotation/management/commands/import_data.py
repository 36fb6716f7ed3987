from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotation.importing.formats import FORMAT_NAMES
from annotation.importing.service import import_file
from annotation.models import Project


class Command(BaseCommand):
    help = (
        "Import prompts and responses (grouped or flat) or preference pairs into a project; "
        "the project is created if it does not exist. All or nothing unless --skip-invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help=".jsonl, .csv or .parquet file")
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMAT_NAMES])
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the valid records and report the others (default: refuse the file)",
        )

    def handle(self, *args, **opts) -> None:
        slug = opts["project"]
        # A refused file leaves no trace, not even a newly created empty project.
        with transaction.atomic():
            project, created = Project.objects.get_or_create(
                slug=slug, defaults={"name": slug.replace("-", " ").replace("_", " ").title()}
            )
            report = import_file(
                project=project,
                path=opts["file"],
                file_format=opts["format"],
                skip_invalid=opts["skip_invalid"],
            )
            if report.refused:
                raise CommandError(report.summary())
        if created:
            self.stdout.write(f"created project {slug!r}")
        self.stdout.write(report.summary())
