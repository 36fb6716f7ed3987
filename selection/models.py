"""Selection records: model competency profiles and selection runs."""

from __future__ import annotations

from django.db import models


class ModelProfile(models.Model):
    class Source(models.TextChoices):
        IMPORTED = "imported", "Imported"
        ESTIMATED = "estimated", "Estimated"

    project = models.ForeignKey(
        "annotation.Project", on_delete=models.CASCADE, related_name="model_profiles"
    )
    model_name = models.CharField(max_length=200)
    competency = models.FloatField(null=True, blank=True, help_text="Scalar quality Q.")
    benchmarks = models.JSONField(default=dict, blank=True, help_text="Benchmark name → score.")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.IMPORTED)
    bucket = models.IntegerField(null=True, blank=True)
    pool_version = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Also serves "the profile of model M in this project".
            models.UniqueConstraint(
                fields=["project", "model_name"], name="modelprofile_unique_model"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_name} ({self.competency})"


class SelectionRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey(
        "annotation.Project", on_delete=models.CASCADE, related_name="selection_runs"
    )
    strategy = models.CharField(max_length=100)
    arm = models.CharField(max_length=100, default="default")
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.FloatField(default=0.0)
    counts = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Serves the lead's list of a project's runs, newest first.
            models.Index(fields=["project", "-created_at"], name="selectionrun_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.strategy} run {self.pk} ({self.status})"


class ResponseEmbedding(models.Model):
    """One response's text embedded by one embedder: float32 bytes, L2-normalised."""

    response = models.ForeignKey(
        "annotation.Response", on_delete=models.CASCADE, related_name="embeddings"
    )
    embedder = models.CharField(max_length=200)
    dimension = models.PositiveIntegerField()
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also serves "which responses of this project still lack an embedding" (anti-join).
            models.UniqueConstraint(
                fields=["response", "embedder"], name="responseembedding_unique_embedder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.embedder} embedding of response {self.response_id}"
