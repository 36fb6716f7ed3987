"""API views for selection runs, effort computations and the dashboard's figures (leads)."""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.api.access import WriteThrottle, in_project, project_for
from annotation.api.jobs import JOB_FIELDS, JobDetail, JobList
from selection.effort import dashboard
from selection.effort.services import EffortError, effort_run_start
from selection.models import EffortRun, SelectionRun, SpaRound
from selection.runs.services import SelectionError, selection_run_start
from selection.spa.errors import SpaError
from selection.spa.judging import JUDGES
from selection.spa.review import round_figures, spa_round_apply, spa_round_revert
from selection.spa.services import spa_round_start
from selection.strategies import STRATEGIES


class SelectionRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelectionRun
        fields = ["id", "strategy", "arm", "params", "counts", "timings", *JOB_FIELDS]
        read_only_fields = ["counts", "timings", *JOB_FIELDS]


class SelectionStartSerializer(serializers.Serializer):
    strategy = serializers.ChoiceField(choices=sorted(STRATEGIES))
    arm = serializers.CharField(max_length=100, required=False, allow_blank=True)
    pairs_per_prompt = serializers.IntegerField(min_value=1, max_value=100, default=1)
    budget = serializers.IntegerField(min_value=1, required=False)
    weight = serializers.FloatField(min_value=0.001, max_value=1000, default=1.0)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    options = serializers.DictField(required=False, help_text='e.g. {"min_kinship": 0.9}')


class EffortRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = EffortRun
        fields = ["id", "kind", "params", "result", "seconds", *JOB_FIELDS]


class EffortStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EffortRun.Kind.choices)
    strategies = serializers.ListField(child=serializers.CharField(), required=False)
    seeds = serializers.IntegerField(required=False)
    noise = serializers.FloatField(required=False)
    tie_margin = serializers.FloatField(required=False)
    target = serializers.FloatField(required=False, allow_null=True)
    pairs_per_prompt = serializers.IntegerField(required=False)
    eval_share = serializers.FloatField(required=False)
    boot = serializers.IntegerField(required=False)
    target_share = serializers.FloatField(required=False)
    features = serializers.CharField(required=False)
    uncertain_batch = serializers.IntegerField(required=False)
    # kind "spa" (the judge simulation):
    seed_labels = serializers.IntegerField(required=False)
    thresholds = serializers.ListField(child=serializers.FloatField(), required=False)


class SelectionRunList(JobList):
    """Selection runs (leads). POST starts one; poll its status."""

    serializer_class = SelectionRunSerializer
    model = SelectionRun

    @extend_schema(request=SelectionStartSerializer, responses={202: SelectionRunSerializer})
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        data = SelectionStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        strategy, arm = params.pop("strategy"), params.pop("arm", None) or None
        try:
            run = selection_run_start(project=project, strategy=strategy, arm=arm, params=params)
        except SelectionError as exc:
            field = "options" if str(exc).startswith("options:") else "strategy"
            raise ValidationError({field: [str(exc)]}) from None
        run.refresh_from_db()
        return ApiResponse(SelectionRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class SelectionRunDetail(JobDetail):
    serializer_class = SelectionRunSerializer
    model = SelectionRun


class EffortRunList(JobList):
    """Effort computations (leads): simulations and learning curves from real labels."""

    serializer_class = EffortRunSerializer
    model = EffortRun

    @extend_schema(request=EffortStartSerializer, responses={202: EffortRunSerializer})
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        data = EffortStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        kind = params.pop("kind")
        try:
            run = effort_run_start(project=project, kind=kind, params=params)
        except EffortError as exc:
            field = str(exc).split(":", 1)[0]
            raise ValidationError({field: [str(exc)]}) from None
        run.refresh_from_db()
        return ApiResponse(EffortRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class EffortRunDetail(JobDetail):
    serializer_class = EffortRunSerializer
    model = EffortRun


class Metrics(APIView):
    """The dashboard's live figures: progress, per arm, per annotator, throughput."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        return ApiResponse(dashboard.figures(project))


class SpaRoundSerializer(serializers.ModelSerializer):
    figures = serializers.SerializerMethodField()

    class Meta:
        model = SpaRound
        fields = ["id", "number", "judge", "params", "counts", "review", "reviewed_at",
                  "policy_path", "lineage", "figures", *JOB_FIELDS]  # fmt: skip

    def get_figures(self, spa: SpaRound) -> dict:
        return round_figures(spa) if spa.status == SpaRound.Status.DONE else {}


class SpaStartSerializer(serializers.Serializer):
    judge = serializers.ChoiceField(
        choices=list(JUDGES), required=False, help_text="default: implicit with SPA_GPU_WORKERS"
    )
    noisy_share = serializers.FloatField(min_value=0, max_value=0.5, default=0.1)
    audit_share = serializers.FloatField(min_value=0, max_value=0.5, default=0.05)
    low_confidence = serializers.ChoiceField(choices=["human", "smooth"], default="human")
    min_confidence = serializers.FloatField(min_value=0.5, max_value=1, default=0.7)
    min_seed = serializers.IntegerField(min_value=1, max_value=10**6, default=50)
    min_audit = serializers.IntegerField(min_value=1, max_value=10**6, default=10)
    min_audit_accuracy = serializers.FloatField(min_value=0, max_value=1, default=0.8)
    arm = serializers.CharField(max_length=100, required=False, allow_blank=True)
    limit = serializers.IntegerField(min_value=1, max_value=10**9, required=False)
    epochs = serializers.FloatField(min_value=0.01, max_value=100, default=1.0)
    learning_rate = serializers.FloatField(min_value=1e-9, max_value=1.0, default=5e-6)
    max_length = serializers.IntegerField(min_value=16, max_value=32768, default=512)
    expand = serializers.IntegerField(min_value=0, max_value=10**6, default=0)
    max_new_tokens = serializers.IntegerField(min_value=1, max_value=4096, default=256)
    lora = serializers.BooleanField(default=False)


class SpaRoundList(JobList):
    """SPA rounds (leads). POST queues the next round on the `gpu` queue; its judgements are
    held pending audit until applied (`spa-rounds/<id>/apply/`)."""

    serializer_class = SpaRoundSerializer
    model = SpaRound
    order_by = "number"

    @extend_schema(request=SpaStartSerializer, responses={202: SpaRoundSerializer})
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        data = SpaStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            spa = spa_round_start(project=project, params=dict(data.validated_data))
        except SpaError as exc:
            raise ValidationError({str(exc).split(":", 1)[0]: [str(exc)]}) from None
        spa.refresh_from_db()
        return ApiResponse(SpaRoundSerializer(spa).data, status=status.HTTP_202_ACCEPTED)


class SpaRoundAction(APIView):
    """POST applies a round whose audit passes, or reverts a round (leads)."""

    throttle_classes = [WriteThrottle]
    service: Callable[..., object]

    @extend_schema(request=None, responses={200: SpaRoundSerializer})
    def post(self, request: Request, slug: str, pk: int) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        spa = in_project(SpaRound, project, pk)
        try:
            self.service(spa=spa)
        except SpaError as exc:
            raise ValidationError({"round": [str(exc)]}) from None
        spa.refresh_from_db()
        return ApiResponse(SpaRoundSerializer(spa).data)


class SpaRoundApply(SpaRoundAction):
    """POST writes the round's held judgements as model labels; refused until its audit passes."""

    service = staticmethod(spa_round_apply)


class SpaRoundRevert(SpaRoundAction):
    """POST supersedes the round's model labels and returns its pairs to the queue; refused
    while a later round stands."""

    service = staticmethod(spa_round_revert)
