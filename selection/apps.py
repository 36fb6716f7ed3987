from __future__ import annotations

from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "selection"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from annotation.job import RESUMABLE

        RESUMABLE["selection"] = ("selection.SelectionRun", "selection.tasks.run_selection")
        RESUMABLE["effort"] = ("selection.EffortRun", "selection.tasks.run_effort")
        RESUMABLE["spa"] = ("selection.SpaRound", "selection.tasks.judge_spa_round")
