"""Selection records: model competency profiles and selection runs."""

from __future__ import annotations

from django.db import models

from annotation.job import Job


class ModelProfile(models.Model):
    class Source(models.TextChoices):
        IMPORTED = "imported", "Imported"
        ESTIMATED = "estimated", "Estimated"

    project = models.ForeignKey(  # modelprofile_unique_model leads with it
        "annotation.Project",
        on_delete=models.CASCADE,
        related_name="model_profiles",
        db_index=False,
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


class SelectionRun(Job):
    project = models.ForeignKey(  # selectionrun_project_idx leads with it
        "annotation.Project",
        on_delete=models.CASCADE,
        related_name="selection_runs",
        db_index=False,
    )
    strategy = models.CharField(max_length=100)
    arm = models.CharField(max_length=100, default="default")
    params = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)

    RESULT_FIELDS = ("counts", "timings")

    class Meta:
        indexes = [
            # Serves the lead's list of a project's runs, newest first.
            models.Index(fields=["project", "-created_at"], name="selectionrun_project_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.strategy} run {self.pk} ({self.status})"


class ResponseEmbedding(models.Model):
    """One response's text embedded by one embedder: float32 bytes, L2-normalised."""

    response = models.ForeignKey(  # responseembedding_unique_embedder leads with it
        "annotation.Response", on_delete=models.CASCADE, related_name="embeddings", db_index=False
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


class EffortRun(Job):
    """An effort computation: a simulation on gold scores, or learning curves of real labels."""

    class Kind(models.TextChoices):
        SIMULATION = "simulation", "Simulation"
        LIVE = "live", "Live labels"
        SPA = "spa", "SPA judge simulation"

    project = models.ForeignKey(  # effortrun_latest_idx leads with it
        "annotation.Project", on_delete=models.CASCADE, related_name="effort_runs", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    RESULT_FIELDS = ("seconds", "result")

    class Meta:
        indexes = [
            # Serves the dashboard's "latest run of each kind" for a project.
            models.Index(fields=["project", "kind", "-created_at"], name="effortrun_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} effort run {self.pk} ({self.status})"


class SpaRound(Job):
    """One SPA round: a policy (trained from its parent round's, or the reference) judges pairs;
    confident judgements are held as proposals until people's answers on an audit sample are
    accurate enough, then applied as model labels; unsure and noisy ones go to people."""

    class Review(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "Pending audit"
        APPLIED = "applied", "Applied"
        REVERTED = "reverted", "Reverted"

    project = models.ForeignKey(  # sparound_unique_number leads with it
        "annotation.Project", on_delete=models.CASCADE, related_name="spa_rounds", db_index=False
    )
    number = models.PositiveIntegerField()
    judge = models.CharField(max_length=20, default="implicit")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    params = models.JSONField(default=dict, blank=True)
    policy_path = models.CharField(max_length=500, blank=True)
    lineage = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    # What became of the judgements of a finished round (blank until it has judged).
    review = models.CharField(max_length=20, choices=Review.choices, blank=True, default="")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    RESULT_FIELDS = ("counts", "policy_path", "lineage", "review")

    class Meta:
        constraints = [
            # Also serves "the rounds of a project, in order" on the dashboard.
            models.UniqueConstraint(fields=["project", "number"], name="sparound_unique_number"),
        ]

    def __str__(self) -> str:
        return f"SPA round {self.number} of {self.project_id} ({self.status})"

    @property
    def judge_name(self) -> str:
        return f"spa-round-{self.number}"


class SpaProposal(models.Model):
    """A judgement a round holds back: not a label (not counted, exported or completing its
    pair) until the round is applied, which writes it as `Label(source=model)`."""

    spa_round = models.ForeignKey(  # spaproposal_unique_pair leads with it
        SpaRound, on_delete=models.CASCADE, related_name="proposals", db_index=False
    )
    # Indexed: serves "pairs held by a round pending audit", which new rounds leave alone.
    pair = models.ForeignKey("annotation.Pair", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20, help_text="Routing: auto, audit or noisy_smooth.")
    choice = models.CharField(max_length=10)
    confidence = models.FloatField()
    smoothing = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            # Also serves "the proposals of a round" when it is applied, audited or reverted.
            models.UniqueConstraint(fields=["spa_round", "pair"], name="spaproposal_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.choice} on pair {self.pair_id} (round {self.spa_round_id})"
