from __future__ import annotations

from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "selection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from annotation.job import KINDS

        KINDS["selection"] = ("selection.SelectionRun", "selection.tasks.run_selection")
        KINDS["effort"] = ("selection.EffortRun", "selection.tasks.run_effort")
        KINDS["spa"] = ("selection.SpaRound", "selection.tasks.judge_spa_round")
