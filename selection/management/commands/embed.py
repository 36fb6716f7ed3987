from __future__ import annotations

from django.core.management.base import BaseCommand

from annotation.access import get_project_for_command
from selection.embedding import (
    embedder_name,
    embedding_progress,
    embeddings_compute,
    missing_response_ids,
)
from selection.tasks import embed_project


class Command(BaseCommand):
    help = "Embed a project's responses that have no embedding yet (in-process, or via workers)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--embedder", default=None, help="default: the EMBEDDING_MODEL setting")
        parser.add_argument(
            "--workers", action="store_true", help="split the work into tasks for Celery workers"
        )

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        name = opts["embedder"] or embedder_name()
        if opts["workers"]:
            embed_project.delay(project.id, name)
            self.stdout.write(f"queued embedding of {project.slug} with {name}")
            return
        missing = missing_response_ids(project.id, name)
        for start in range(0, len(missing), 1024):
            embeddings_compute(response_ids=missing[start : start + 1024], name=name)
            done, total = embedding_progress(project.id, name)
            self.stdout.write(f"embedded {done}/{total} responses with {name}")
        if not missing:
            self.stdout.write("nothing to embed: every response has an embedding")
