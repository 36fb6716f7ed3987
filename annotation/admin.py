from __future__ import annotations

from django.contrib import admin

from annotation.models import (
    Assignment,
    ImportJob,
    Label,
    Membership,
    Pair,
    Project,
    Prompt,
    Response,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "overlap", "lease_seconds", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["project", "user", "role"]
    list_filter = ["role", "project"]
    autocomplete_fields = ["user", "project"]


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["external_id", "project", "created_at"]
    list_filter = ["project"]
    search_fields = ["external_id", "text"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["external_id", "model_name", "prompt", "gold_score"]
    list_filter = ["prompt__project"]
    search_fields = ["model_name", "external_id"]
    raw_id_fields = ["prompt"]


@admin.register(Pair)
class PairAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "arm", "strategy", "status", "priority", "score", "is_gold"]
    list_filter = ["project", "arm", "status", "is_gold"]
    raw_id_fields = ["prompt", "response_a", "response_b", "selection_run"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "pair", "annotator", "state", "leased_at", "expires_at"]
    list_filter = ["state"]
    raw_id_fields = ["pair"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["id", "pair", "annotator", "choice", "source", "active_seconds", "created_at"]
    list_filter = ["source", "choice"]
    raw_id_fields = ["pair", "assignment", "supersedes"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "project",
        "file_name",
        "status",
        "bytes_done",
        "bytes_total",
        "created_at",
    ]
    list_filter = ["status"]
