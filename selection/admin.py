from __future__ import annotations

from django.contrib import admin

from selection.models import ModelProfile, ResponseEmbedding, SelectionRun


@admin.register(ModelProfile)
class ModelProfileAdmin(admin.ModelAdmin):
    list_display = ["model_name", "project", "competency", "source", "bucket"]
    list_filter = ["project", "source"]
    search_fields = ["model_name"]


@admin.register(SelectionRun)
class SelectionRunAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "strategy", "arm", "status", "progress", "created_at"]
    list_filter = ["status", "strategy"]


@admin.register(ResponseEmbedding)
class ResponseEmbeddingAdmin(admin.ModelAdmin):
    list_display = ["id", "response", "embedder", "dimension", "created_at"]
    list_filter = ["embedder"]
    raw_id_fields = ["response"]
    exclude = ["vector"]
