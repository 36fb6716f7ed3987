from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.models import ModelProfile
from selection.profiles import competency_buckets_compute


class Command(BaseCommand):
    help = "Bucket the project's models by KARMA competency (quantiles of Q), versioned by pool."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--count", type=int, default=3, help="number of buckets")

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        if opts["count"] < 1:
            raise CommandError("--count must be at least 1")
        version = competency_buckets_compute(project=project, count=opts["count"])
        if not version:
            raise CommandError("the project has no model profiles: run import_models first")
        rows = ModelProfile.objects.filter(project=project).order_by("bucket", "model_name")
        for bucket in range(opts["count"]):
            names = [p.model_name for p in rows if p.bucket == bucket]
            self.stdout.write(f"bucket {bucket}: {', '.join(names)}")
        self.stdout.write(f"pool version {version}")
