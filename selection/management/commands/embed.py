from __future__ import annotations

from django.core.management.base import BaseCommand
from tqdm import tqdm

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
        parser.add_argument("--chunk", type=int, default=256, help="texts per progress step")

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        name = opts["embedder"] or embedder_name()
        if opts["workers"]:
            embed_project.delay(project.id, name)
            self.stdout.write(f"queued embedding of {project.slug} with {name}")
            return
        missing = missing_response_ids(project.id, name)
        if not missing:
            self.stdout.write("nothing to embed: every response has an embedding")
            return
        self._embed(project, name, missing, opts["chunk"])

    def _embed(self, project, name: str, missing: list[int], chunk: int) -> None:
        """On a terminal a progress bar; into a file or pipe, a line per chunk, flushed as it
        goes, so a log shows how far it got."""
        terminal = self.stdout.isatty()
        bar = tqdm(total=len(missing), unit="text", disable=not terminal, file=self.stdout._out)
        for start in range(0, len(missing), chunk):
            part = missing[start : start + chunk]
            embeddings_compute(response_ids=part, name=name)
            bar.update(len(part))
            if not terminal:
                done, total = embedding_progress(project.id, name)
                self.stdout.write(f"embedded {done}/{total} responses with {name} "
                                  f"({done / max(total, 1):.0%})")  # fmt: skip
                self.stdout.flush()
        bar.close()
