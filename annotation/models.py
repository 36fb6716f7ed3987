"""Core records: projects, prompts, responses, pairs, assignments (leases) and labels."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import F, Q

from annotation.job import Job


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    ANNOTATOR = "annotator", "Annotator"


class ProjectQuerySet(models.QuerySet):
    def for_member(self, user) -> ProjectQuerySet:
        """The projects the user may open: a deactivated membership opens none."""
        return self.filter(memberships__user=user, memberships__deactivated_at=None).distinct()


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    guidelines = models.TextField(blank=True, help_text="Markdown shown to annotators.")
    overlap = models.PositiveSmallIntegerField(default=1, help_text="Labels wanted per pair.")
    lease_seconds = models.PositiveIntegerField(default=600)
    gold_rate = models.FloatField(default=0.0, help_text="Share of gold pairs mixed into queues.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="project_overlap_positive"),
            models.CheckConstraint(
                condition=Q(gold_rate__gte=0) & Q(gold_rate__lte=1), name="project_gold_rate_share"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(deactivated_at=None)


class Membership(models.Model):
    # Looked up through membership_unique_user, which leads with it (as every FK below that
    # says db_index=False: a second index on the same leading column costs every write).
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANNOTATOR)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a lead turns the person's access off: they no longer see the project or take its
    # pairs, and their labels stay. Nullable, so adding it is a plain ADD COLUMN on SQLite.
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            # Also the index for "which role does this user have in this project".
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class Prompt(models.Model):
    project = models.ForeignKey(  # prompt_unique_external_id leads with it
        Project, on_delete=models.CASCADE, related_name="prompts", db_index=False
    )
    external_id = models.CharField(max_length=200)
    text = models.TextField()
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also serves the import's "which of these ids exist already" lookup.
            models.UniqueConstraint(
                fields=["project", "external_id"], name="prompt_unique_external_id"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="prompt_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.text[:60]}"


class Response(models.Model):
    prompt = models.ForeignKey(  # response_unique_external_id leads with it
        Prompt, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    external_id = models.CharField(max_length=200)
    model_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    # Quality from the source data: for simulation and evaluation only, never shown to annotators.
    gold_score = models.FloatField(null=True, blank=True)
    # The text rendered and sanitised (annotation/prerender.py), and the key of the text and
    # renderer it was made from: the page shows `html` only while `html_key` still matches.
    # Nullable, so adding them is a plain ADD COLUMN on SQLite too (no table rebuild, which
    # would break the pair trigger that reads this table).
    html = models.TextField(null=True, editable=False)  # noqa: DJ001
    html_key = models.CharField(max_length=40, null=True, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also serves "responses of this prompt" and the import's existence lookup.
            models.UniqueConstraint(
                fields=["prompt", "external_id"], name="response_unique_external_id"
            ),
        ]
        indexes = [
            # Serves per-model queries (competency estimates, "responses of model M").
            models.Index(fields=["model_name"], name="response_model_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model_name or self.external_id} → prompt {self.prompt_id}"


class PairStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETE = "complete", "Complete"
    RETIRED = "retired", "Retired"


class Pair(models.Model):
    project = models.ForeignKey(  # pair_queue_idx and pair_unique_in_arm lead with it
        Project, on_delete=models.CASCADE, related_name="pairs", db_index=False
    )
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="pairs")
    # Stored in canonical order (a.id < b.id); what the annotator sees on the left is `swapped`.
    response_a = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    response_b = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    selection_run = models.ForeignKey(
        "selection.SelectionRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pairs",
    )
    arm = models.CharField(max_length=100, default="default")
    strategy = models.CharField(max_length=100, default="random")
    score = models.FloatField(null=True, blank=True, help_text="Strategy score, e.g. cosine.")
    priority = models.FloatField(default=0.0)
    # An imported pair's own id in its file (`pair_id`), written back on export. Nullable so
    # that adding it never rebuilds the table (SQLite rebuilds for a column with a default).
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    swapped = models.BooleanField(default=False, help_text="Show response B on the left.")
    status = models.CharField(max_length=20, choices=PairStatus.choices, default=PairStatus.OPEN)
    is_gold = models.BooleanField(default=False)
    gold_choice = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(response_a__lt=F("response_b")),
                name="pair_responses_ordered_and_distinct",
            ),
            # One pair per response couple and arm; also serves "does this pair exist" on select.
            models.UniqueConstraint(
                fields=["project", "arm", "response_a", "response_b"], name="pair_unique_in_arm"
            ),
        ]
        indexes = [
            # Serves the lease query: open pairs of a project by priority.
            models.Index(fields=["project", "status", "-priority", "id"], name="pair_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"pair {self.pk} ({self.arm})"

    def shown_left(self) -> Response:
        return self.response_b if self.swapped else self.response_a

    def shown_right(self) -> Response:
        return self.response_a if self.swapped else self.response_b


class AssignmentState(models.TextChoices):
    ACTIVE = "active", "Active"
    SUBMITTED = "submitted", "Submitted"
    EXPIRED = "expired", "Expired"
    RELEASED = "released", "Released"


class AssignmentQuerySet(models.QuerySet):
    def live_for(self, *, annotator, project: Project, now) -> AssignmentQuerySet:
        return self.filter(
            annotator=annotator,
            project=project,
            state=AssignmentState.ACTIVE,
            expires_at__gt=now,
        ).order_by("leased_at")


class Assignment(models.Model):
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="assignments")
    # The pair's project, copied when the lease is made (save() below; the queue's statements
    # write it themselves), so that the database can hold one live lease per person and project
    # (assignment_one_active_per_project). Its own index serves a lead's list of the project's
    # live leases (oversight.live_leases) and deleting a project.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", editable=False)
    annotator = models.ForeignKey(  # assignment_live_idx leads with it
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,
    )
    leased_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(
        max_length=20, choices=AssignmentState.choices, default=AssignmentState.ACTIVE
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        constraints = [
            # One live lease per person and project, however many requests ask at once (and so
            # a pair is leased at most once at a time to the same person). "Live" is the state:
            # a lease past its expiry stays active until the queue marks it expired, which it
            # does before it leases that person anything else. Also the index of "this
            # annotator's lease in the project" on every page load (queue/statements.LIVE_LEASE).
            models.UniqueConstraint(
                fields=["annotator", "project"],
                condition=Q(state="active"),
                name="assignment_one_active_per_project",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("leased_at")), name="assignment_expires_after_lease"
            ),
        ]
        indexes = [
            # Serves an annotator's leases by state (undo and deactivation release them).
            models.Index(fields=["annotator", "state", "expires_at"], name="assignment_live_idx"),
        ]

    def __str__(self) -> str:
        return f"lease {self.pk} of pair {self.pair_id} to {self.annotator_id}"

    def save(self, *args, **kwargs) -> None:
        if self.project_id is None:
            self.project_id = self.pair.project_id
        super().save(*args, **kwargs)


class Choice(models.TextChoices):
    # Stored order, as leads see it; annotators see left/right (Label.shown_choice_display).
    A = "a", "Response 1 is better"
    B = "b", "Response 2 is better"
    TIE = "tie", "Tie"
    BOTH_BAD = "both_bad", "Both bad"
    SKIP = "skip", "Skip"


# The two sides of the annotate page, by the response shown there in stored order terms.
SHOWN_SIDES = {Choice.A: "A (left) is better", Choice.B: "B (right) is better"}


class LabelSource(models.TextChoices):
    HUMAN = "human", "Human"
    MODEL = "model", "Model"
    IMPORTED = "imported", "Imported"
    ADJUDICATED = "adjudicated", "Adjudicated"


class LabelQuerySet(models.QuerySet):
    def live(self) -> LabelQuerySet:
        return self.filter(superseded_at__isnull=True)

    def human(self) -> LabelQuerySet:
        return self.filter(source=LabelSource.HUMAN)


class Label(models.Model):
    """Append-only: a correction is a new row, and the old row gets `superseded_at`."""

    pair = models.ForeignKey(  # label_pair_live_idx leads with it
        Pair, on_delete=models.CASCADE, related_name="labels", db_index=False
    )
    # The pair's project, so an annotator's counts in a project need no join. The queue sets it
    # on every label it writes (its bulk inserts bypass save()); save() sets it for the rest.
    project = models.ForeignKey(
        Project, null=True, editable=False, on_delete=models.CASCADE, related_name="+"
    )
    annotator = models.ForeignKey(  # label_annotator_recent_idx leads with it
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="labels",
        db_index=False,
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="labels"
    )
    judge = models.CharField(max_length=200, blank=True, help_text="Model judge name, if any.")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    strength = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    active_seconds = models.FloatField(null=True, blank=True)
    server_seconds = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=LabelSource.choices, default=LabelSource.HUMAN)
    confidence = models.FloatField(null=True, blank=True)
    # Label smoothing towards the flipped label (SPA keeps noisy judge labels this way).
    smoothing = models.FloatField(default=0.0)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        constraints = [
            # One live answer per annotator per pair (a lead's adjudication is separate).
            models.UniqueConstraint(
                fields=["pair", "annotator"],
                condition=Q(superseded_at__isnull=True, source="human"),
                name="label_one_live_per_annotator",
            ),
            # A lease yields at most one label, however often the form is submitted.
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(assignment__isnull=False, supersedes__isnull=True),
                name="label_one_per_assignment",
            ),
            # One live imported label per pair (re-import adds none).
            models.UniqueConstraint(
                fields=["pair"],
                condition=Q(source="imported", superseded_at__isnull=True),
                name="label_one_live_imported",
            ),
            models.CheckConstraint(
                condition=Q(source__in=["human", "adjudicated"], annotator__isnull=False)
                | Q(source__in=["model", "imported"]),
                name="label_human_has_annotator",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True)
                | (Q(confidence__gte=0) & Q(confidence__lte=1)),
                name="label_confidence_probability",
            ),
        ]
        indexes = [
            # Serves live labels of a pair (overlap counting, aggregation).
            models.Index(fields=["pair", "superseded_at"], name="label_pair_live_idx"),
            # Serves an annotator's recent labels (progress, undo).
            models.Index(fields=["annotator", "-created_at"], name="label_annotator_recent_idx"),
            # Serves an annotator's live answers in a project (the annotate page's counters).
            # `project IS NOT NULL` (always true: every label is written with it) keeps the
            # queue's per-pair counts off this index: they name no project, so only pair-led
            # indexes can serve them. Without it, a planner with stale statistics scanned all of
            # an annotator's labels for every candidate pair.
            models.Index(
                fields=["annotator", "project", "created_at"],
                condition=Q(superseded_at__isnull=True, source="human", project__isnull=False),
                name="label_annotator_project_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"label {self.pk}: {self.choice} on pair {self.pair_id}"

    def save(self, *args, **kwargs) -> None:
        if self.project_id is None:
            self.project_id = self.pair.project_id
        super().save(*args, **kwargs)

    def shown_choice_display(self) -> str:
        """The answer as its annotator saw the pair: A on the left, B on the right (the pair's
        `swapped` puts response 2 on the left). Reads `self.pair`: select it along."""
        if self.choice not in SHOWN_SIDES:
            return self.get_choice_display()
        side = self.choice
        if self.pair.swapped:
            side = Choice.B if side == Choice.A else Choice.A
        return SHOWN_SIDES[side]


class ImportJob(Job):
    """A file import, run inline or by a worker; the lead's page polls its progress."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_path = models.CharField(max_length=500)
    file_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=20, default="auto")
    skip_invalid = models.BooleanField(default=False)
    bytes_total = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)  # the import's report

    RESULT_FIELDS = ("result", "bytes_done")

    def __str__(self) -> str:
        return f"import {self.pk} of {self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.bytes_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, int(100 * self.bytes_done / self.bytes_total))

    @property
    def progress_key(self) -> str:
        return f"import-job-progress:{self.pk}"

    def live(self) -> Self:
        """A running import writes how far it read to the cache: a write to its row would wait
        behind the import's transaction until the end."""
        if self.status == self.Status.RUNNING:
            self.bytes_done = cache.get(self.progress_key, self.bytes_done)
        if self.bytes_total:
            self.progress = min(1.0, self.bytes_done / self.bytes_total)
        return self


class ExportJob(Job):
    """A DPO export started from the web: run by a worker, zipped, downloaded by a lead."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="export_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)  # the export's report
    file_path = models.CharField(max_length=500, blank=True)

    RESULT_FIELDS = ("result", "file_path")

    def __str__(self) -> str:
        return f"export {self.pk} ({self.status})"
