from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.models import SpaRound
from selection.spa.errors import SpaError
from selection.spa.judging import JUDGES
from selection.spa.review import round_figures
from selection.spa.services import DEFAULTS, spa_round_create, spa_round_execute

OPTIONS = ("judge", "noisy_share", "audit_share", "low_confidence", "min_confidence", "min_seed",
           "min_audit", "min_audit_accuracy", "arm", "limit", "epochs", "learning_rate", "lora",
           "seed", "max_length", "expand", "max_new_tokens")  # fmt: skip


class Command(BaseCommand):
    help = (
        "Run one SPA round in this process: fit the judge on people's labels (the implicit judge "
        "trains the round's policy by DPO, with earlier rounds' judge labels), judge unlabeled "
        "pairs, hold the confident judgements pending an audit by people, send the rest to "
        "people. Apply or revert the round with `spa_review`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--round", type=int, default=None, help="default: the next round")
        parser.add_argument(
            "--judge",
            default=None,
            choices=list(JUDGES),
            help="default: implicit with SPA_GPU_WORKERS, else embedding",
        )
        parser.add_argument("--noisy-share", type=float, default=0.1)
        parser.add_argument("--audit-share", type=float, default=0.05)
        parser.add_argument("--low-confidence", default="human", choices=["human", "smooth"])
        parser.add_argument(
            "--min-confidence",
            type=float,
            default=DEFAULTS["min_confidence"],
            help="label a pair only at this max(p, 1-p) or above",
        )
        parser.add_argument(
            "--min-seed",
            type=int,
            default=DEFAULTS["min_seed"],
            help="refuse below this many human-decided pairs",
        )
        parser.add_argument(
            "--min-audit",
            type=int,
            default=DEFAULTS["min_audit"],
            help="audit pairs people must decide before the round can apply",
        )
        parser.add_argument(
            "--min-audit-accuracy", type=float, default=DEFAULTS["min_audit_accuracy"]
        )
        parser.add_argument("--arm", default="", help="judge only this arm's pairs")
        parser.add_argument("--limit", type=int, default=None, help="judge at most N pairs")
        parser.add_argument("--epochs", type=float, default=1.0, help="DPO epochs")
        parser.add_argument("--learning-rate", type=float, default=5e-6)
        parser.add_argument(
            "--max-length",
            type=int,
            default=512,
            help="tokens per prompt + response, in training and judging",
        )
        parser.add_argument(
            "--expand",
            type=int,
            default=0,
            help="data expansion: the policy writes 2 new responses for up to N unlabeled prompts",
        )
        parser.add_argument("--max-new-tokens", type=int, default=256, help="per new response")
        parser.add_argument("--lora", action="store_true", help="train a LoRA adapter (peft)")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        try:
            raw = {k: opts[k] for k in OPTIONS}
            spa = spa_round_create(project=project, params=raw, number=opts["round"])
        except SpaError as exc:
            raise CommandError(str(exc)) from None
        spa = spa_round_execute(round_id=spa.id)
        if spa.status != SpaRound.Status.DONE:
            raise CommandError(f"SPA round {spa.number} failed: {spa.error}")
        f = round_figures(spa)
        self.stdout.write(
            f"SPA round {spa.number} ({spa.judge}): judged {f['judged']}, held "
            f"{f['auto_labeled']} pending audit, sent to people {f['sent_to_people']} "
            f"(below confidence {spa.counts['unsure']}, noisy {spa.counts['noisy_human']}, "
            f"audit {spa.counts['audit']}); policy: {spa.policy_path or '—'}"
        )
