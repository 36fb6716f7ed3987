from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from annotation.gold import SCALES, gold_pairs_create


class Command(BaseCommand):
    help = (
        "Create gold pairs (known answers, from responses' gold scores) that are mixed "
        "unannounced into annotators' queues at the project's gold rate."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--count", type=int, default=20)
        parser.add_argument("--margin", type=float, default=2.0, help="minimum gold difference")
        parser.add_argument("--scale", choices=SCALES, default="raw")
        parser.add_argument("--rate", type=float, default=None, help="also set the gold rate")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        if opts["rate"] is not None:
            if not 0 <= opts["rate"] <= 1:
                raise CommandError("--rate must be between 0 and 1")
            project.gold_rate = opts["rate"]
            project.save(update_fields=["gold_rate"])
        created = gold_pairs_create(
            project=project,
            count=opts["count"],
            margin=opts["margin"],
            scale=opts["scale"],
            seed=opts["seed"],
        )
        self.stdout.write(f"{created} gold pairs created; gold rate {project.gold_rate:.0%}")
