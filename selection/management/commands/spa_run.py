from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotation.access import get_project_for_command
from selection.models import SpaRound
from selection.spa import SpaError, round_figures, spa_params, spa_round_execute


class Command(BaseCommand):
    help = (
        "Run one SPA round in this process: train the round's policy by DPO on people's labels "
        "(and earlier rounds' judge labels), judge unlabeled pairs with its implicit reward, "
        "auto-label the confident ones, send the noisiest and an audit sample to people."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--project", required=True, help="project slug")
        parser.add_argument("--round", type=int, default=None, help="default: the next round")
        parser.add_argument("--judge", default="implicit", choices=["implicit", "embedding"])
        parser.add_argument("--noisy-share", type=float, default=0.1)
        parser.add_argument("--audit-share", type=float, default=0.05)
        parser.add_argument("--low-confidence", default="human", choices=["human", "smooth"])
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

    # fmt: skip

    def handle(self, *args, **opts) -> None:
        project = get_project_for_command(opts["project"])
        try:
            raw = {k: opts[k] for k in ("judge", "noisy_share", "audit_share", "low_confidence",
                                        "arm", "limit", "epochs", "learning_rate", "lora",
                                        "seed", "max_length", "expand",
                                        "max_new_tokens")}  # fmt: skip
            params = spa_params(raw)
            spa = self._create(project, params, opts["round"])
        except SpaError as exc:
            raise CommandError(str(exc)) from None
        spa = spa_round_execute(round_id=spa.id)
        if spa.status != SpaRound.Status.DONE:
            raise CommandError(f"SPA round {spa.number} failed: {spa.error}")
        f = round_figures(spa)
        self.stdout.write(
            f"SPA round {spa.number} ({spa.judge}): judged {f['judged']}, auto-labeled "
            f"{f['auto_labeled']}, sent to people {f['sent_to_people']} "
            f"(noisy {spa.counts['noisy_human']}, audit {spa.counts['audit']}); "
            f"policy: {spa.policy_path or '—'}"
        )

    def _create(self, project, params: dict, number: int | None) -> SpaRound:
        last = SpaRound.objects.filter(project=project).order_by("-number").first()
        number = number or (last.number + 1 if last else 1)
        if SpaRound.objects.filter(project=project, number=number).exists():
            raise SpaError(f"round {number} exists already")
        parent = SpaRound.objects.filter(project=project, number=number - 1).first()
        judge = params.pop("judge")
        return SpaRound.objects.create(project=project, number=number, parent=parent,
                                       judge=judge, params=params)  # fmt: skip
