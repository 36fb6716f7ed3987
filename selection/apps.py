from __future__ import annotations

from django.apps import AppConfig


class SelectionConfig(AppConfig):
    name = "selection"
    default_auto_field = "django.db.models.BigAutoField"
