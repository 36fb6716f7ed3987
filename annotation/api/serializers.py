from __future__ import annotations

from rest_framework import serializers

from annotation.api.jobs import JOB_FIELDS
from annotation.converters import MAX_ID
from annotation.models import (
    Choice,
    ExportJob,
    ImportJob,
    Label,
    Membership,
    Pair,
    Project,
    Prompt,
    Response,
    Role,
)
from annotation.queue import Answer


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "slug", "guidelines", "overlap", "lease_seconds", "gold_rate",
                  "created_at", "role"]  # fmt: skip
        read_only_fields = ["id", "created_at", "role"]
        # The same bounds as the database's checks, so bad input is a 400 naming the field.
        extra_kwargs = {
            "overlap": {"min_value": 1, "max_value": 100},
            "lease_seconds": {"min_value": 10, "max_value": 7 * 86400},
            "gold_rate": {"min_value": 0.0, "max_value": 1.0},
        }

    def get_role(self, project: Project) -> str | None:
        return self.context.get("roles", {}).get(project.id)


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Membership
        fields = ["username", "role", "active", "created_at"]
        read_only_fields = ["created_at"]


class MemberSetSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.ANNOTATOR)


class PromptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Prompt
        fields = ["id", "external_id", "text", "metadata", "created_at"]


class ResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Response
        fields = ["id", "prompt", "external_id", "model_name", "text", "metadata", "gold_score"]


class PairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pair
        fields = ["id", "prompt", "response_a", "response_b", "arm", "strategy", "score",
                  "priority", "swapped", "status", "is_gold", "gold_choice",
                  "created_at"]  # fmt: skip


class ShownResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class LeaseSerializer(serializers.Serializer):
    """A leased pair as the annotator must see it: display order, no model names, no gold."""

    assignment = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    pair = serializers.IntegerField()
    prompt = serializers.CharField()
    guidelines = serializers.CharField()
    left = ShownResponseSerializer()
    right = ShownResponseSerializer()


SHOWN = {"left": Choice.A, "right": Choice.B, "a": Choice.A, "b": Choice.B}


class SubmitSerializer(serializers.Serializer):
    # The bounds of a 64-bit id column: a larger number is a 400 naming the field.
    assignment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    choice = serializers.ChoiceField(
        choices=["left", "right", "a", "b", "tie", "both_bad", "skip"],
        help_text="As shown: left/right (or a/b meaning left/right), tie, both_bad, skip.",
    )
    strength = serializers.IntegerField(min_value=1, max_value=2, required=False, allow_null=True)
    rationale = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    active_seconds = serializers.FloatField(min_value=0, max_value=86400, required=False,
                                            allow_null=True)  # fmt: skip

    def answer(self) -> Answer:
        """The answer, "a"/"b" meaning left/right as shown (see label_submit's as_shown)."""
        data = self.validated_data
        choice = SHOWN.get(data["choice"], data["choice"])
        strength, seconds = data.get("strength"), data.get("active_seconds")
        return Answer(choice, strength, data.get("rationale", ""), seconds)


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "pair", "choice", "strength", "rationale", "active_seconds",
                  "server_seconds", "source", "created_at"]  # fmt: skip


class UndoSerializer(LabelSerializer):
    """The withdrawn label, whether its pair is leased to you again, and what that means."""

    pair_back = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()

    class Meta(LabelSerializer.Meta):
        fields = [*LabelSerializer.Meta.fields, "pair_back", "message"]

    def get_pair_back(self, label: Label) -> bool:
        return self.context["pair_back"]

    def get_message(self, label: Label) -> str:
        return self.context["message"]


class SubmitResultSerializer(serializers.Serializer):
    label = LabelSerializer(allow_null=True)
    duplicate = serializers.BooleanField()
    message = serializers.CharField(allow_blank=True)


class ProgressSerializer(serializers.Serializer):
    labeled = serializers.IntegerField()
    open_pairs = serializers.IntegerField()


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    file_format = serializers.ChoiceField(
        choices=["auto", "grouped", "pairs", "flat"], default="auto"
    )
    skip_invalid = serializers.BooleanField(default=False)


class ImportJobSerializer(serializers.ModelSerializer):
    report = serializers.JSONField(source="result", read_only=True)  # its name before the field's

    class Meta:
        model = ImportJob
        fields = ["id", "file_name", "file_format", "skip_invalid", "bytes_total", "report"]
        fields += JOB_FIELDS


class ExportStartSerializer(serializers.Serializer):
    fmt = serializers.ChoiceField(choices=["jsonl", "parquet", "hf"], default="jsonl")
    conversational = serializers.BooleanField(default=False)
    include_model_labels = serializers.BooleanField(default=False)
    min_agreement = serializers.FloatField(min_value=0, max_value=1, default=0.5)
    test_share = serializers.FloatField(min_value=0, max_value=0.9, default=0.0)
    seed = serializers.IntegerField(default=0)
    license_name = serializers.CharField(max_length=100, default="unspecified")


class ExportJobSerializer(serializers.ModelSerializer):
    report = serializers.JSONField(source="result", read_only=True)  # its name before the field's

    class Meta:
        model = ExportJob
        fields = ["id", "params", "report", *JOB_FIELDS]
