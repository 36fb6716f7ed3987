from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.models import SpaRound
from selection.spa.errors import SpaError
from selection.spa.review import audit_text, round_figures, spa_round_apply, spa_round_revert

ACTIONS = {"show": lambda *, spa: None, "apply": spa_round_apply, "revert": spa_round_revert}


class Command(BaseCommand):
    help = (
        "Show an SPA round's audit, or act on it: `apply` writes its held judgements as model "
        "labels (only once its audit passes); `revert` supersedes its model labels and returns "
        "its pairs to the queue."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=list(ACTIONS))
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--round", type=int, required=True)

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        spa = SpaRound.objects.filter(project=project, number=opts["round"]).first()
        if spa is None:
            raise CommandError(f"no SPA round {opts['round']} in {project.slug}")
        try:
            ACTIONS[opts["action"]](spa=spa)
        except SpaError as exc:
            raise CommandError(str(exc)) from None
        f = round_figures(spa)
        self.stdout.write(f"SPA round {spa.number}: {f['state']}; {audit_text(f)}")
