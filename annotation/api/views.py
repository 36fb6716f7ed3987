"""API views: thin; access through `project_for`, work through the same services as the UI."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from annotation.api import serializers as s
from annotation.api.access import WriteThrottle, in_project, project_for
from annotation.api.jobs import JobDetail, JobList
from annotation.converters import MAX_ID
from annotation.export.jobs import export_job_start
from annotation.export.service import ExportError
from annotation.importing.jobs import import_job_create
from annotation.models import (
    ExportJob,
    ImportJob,
    Label,
    Membership,
    Pair,
    Project,
    Prompt,
    Response,
    Role,
)  # fmt: skip
from annotation.queue import NOT_LEASED, answer_submit, assignment_lease, label_undo
from annotation.services import MembershipError, membership_set


class ProjectList(generics.ListCreateAPIView):
    """Your projects; creating one makes you its lead."""

    serializer_class = s.ProjectSerializer
    throttle_classes = [WriteThrottle]

    def get_queryset(self):
        return Project.objects.for_member(self.request.user).order_by("id")

    def get_serializer_context(self):
        roles = dict(self.request.user.memberships.values_list("project_id", "role"))
        return super().get_serializer_context() | {"roles": roles}

    def perform_create(self, serializer) -> None:
        with transaction.atomic():
            project = serializer.save()
            membership_set(project=project, user=self.request.user, role=Role.LEAD)


class ProjectDetail(generics.RetrieveUpdateAPIView):
    """Any member reads; leads change settings."""

    serializer_class = s.ProjectSerializer
    throttle_classes = [WriteThrottle]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        writing = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return project_for(self.request, self.kwargs["slug"], lead=writing)

    def get_serializer_context(self):
        roles = dict(self.request.user.memberships.values_list("project_id", "role"))
        return super().get_serializer_context() | {"roles": roles}


class MemberList(generics.ListAPIView):
    """Members and roles (leads); POST adds a user or changes their role."""

    serializer_class = s.MemberSerializer
    throttle_classes = [WriteThrottle]

    def get_queryset(self):
        project = project_for(self.request, self.kwargs["slug"], lead=True)
        return Membership.objects.filter(project=project).select_related("user").order_by("id")

    @extend_schema(request=s.MemberSetSerializer, responses={200: s.MemberSerializer})
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        data = s.MemberSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(username=data.validated_data["username"]).first()
        if user is None:
            raise ValidationError({"username": ["No user with this username."]})
        role = data.validated_data["role"]
        try:
            membership = membership_set(project=project, user=user, role=role)
        except MembershipError as refused:
            raise ValidationError({"role": [str(refused)]}) from None
        return ApiResponse(s.MemberSerializer(membership).data)


class LeadList(generics.ListAPIView):
    """A lead-only, paginated list of one of the project's record types."""

    filters: dict[str, type] = {}

    def get_queryset(self):
        project = project_for(self.request, self.kwargs["slug"], lead=True)
        queryset = self.scoped(project)
        for name, kind in self.filters.items():
            value = self.request.query_params.get(name)
            if value:
                queryset = queryset.filter(**{name: _parsed(name, value, kind)})
        return queryset.order_by("id")


def _parsed(name: str, value: str, kind: type):
    if "\x00" in value:
        raise ValidationError({name: ["NUL characters are not allowed."]})
    try:
        parsed = kind(value)
    except ValueError:
        raise ValidationError({name: [f"{value!r} is not a valid {kind.__name__}."]}) from None
    if kind is int and abs(parsed) > MAX_ID:
        raise ValidationError({name: [f"{value!r} is out of range for an id."]})
    return parsed


class PromptList(LeadList):
    serializer_class = s.PromptSerializer

    def scoped(self, project):
        return Prompt.objects.filter(project=project)


class ResponseList(LeadList):
    serializer_class = s.ResponseSerializer
    filters = {"prompt": int}

    @extend_schema(parameters=[OpenApiParameter("prompt", int, description="prompt id")])
    def get(self, *args, **kwargs):
        return super().get(*args, **kwargs)

    def scoped(self, project):
        return Response.objects.filter(prompt__project=project)


class PairList(LeadList):
    serializer_class = s.PairSerializer
    filters = {"status": str, "arm": str}

    @extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("arm", str)])
    def get(self, *args, **kwargs):
        return super().get(*args, **kwargs)

    def scoped(self, project):
        return Pair.objects.filter(project=project)


class Lease(APIView):
    """Lease the next pair (or get back your live lease). 204 when no pair is left for you."""

    throttle_classes = [WriteThrottle]

    @extend_schema(request=None, responses={200: s.LeaseSerializer, 204: None})
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug)
        lease = assignment_lease(project=project, annotator=request.user)
        if lease is None:
            return ApiResponse(status=status.HTTP_204_NO_CONTENT)
        pair = Pair.objects.select_related("prompt", "response_a", "response_b").get(
            id=lease.pair_id
        )
        left, right = pair.shown_left(), pair.shown_right()
        return ApiResponse(s.LeaseSerializer({
            "assignment": lease.id, "expires_at": lease.expires_at, "pair": pair.id,
            "prompt": pair.prompt.text, "guidelines": project.guidelines,
            "left": {"id": left.id, "text": left.text},
            "right": {"id": right.id, "text": right.text},
        }).data)  # fmt: skip


class Submit(APIView):
    """Answer a lease, in display terms. Sending the same answer again returns the first label
    (duplicate: true); a lease someone else took after it expired returns a message instead."""

    throttle_classes = [WriteThrottle]

    @extend_schema(
        request=s.SubmitSerializer,
        responses={201: s.SubmitResultSerializer, 200: s.SubmitResultSerializer},
    )
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug)
        data = s.SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lease_id = data.validated_data["assignment"]
        result = answer_submit(lease_id, data.answer(), annotator=request.user, project=project)
        if result is None:
            raise ValidationError({"assignment": [NOT_LEASED]})
        code = status.HTTP_201_CREATED if result.label and not result.duplicate else 200
        body = {"label": result.label, "duplicate": result.duplicate, "message": result.message}
        return ApiResponse(s.SubmitResultSerializer(body).data, status=code)


class Undo(APIView):
    """Undo your last answer in this project (within the undo window): the withdrawn label.
    `pair_back` says whether its pair is leased to you again; it is not when others have
    given the pair all the answers it needs since, and your next lease is another pair."""

    throttle_classes = [WriteThrottle]

    @extend_schema(request=None, responses={200: s.UndoSerializer, 404: OpenApiResponse()})
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug)
        undone = label_undo(project=project, annotator=request.user)
        if undone is None:
            raise NotFound("Nothing to undo: answers can be undone for two minutes.")
        extra = {"pair_back": undone.pair_back, "message": undone.message}
        return ApiResponse(s.UndoSerializer(undone.label, context=extra).data)


class Progress(APIView):
    """Your own progress in the project."""

    @extend_schema(responses=s.ProgressSerializer)
    def get(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug)
        labeled = Label.objects.live().human().filter(project=project, annotator=request.user)
        labeled = labeled.count()
        open_pairs = Pair.objects.filter(project=project, status="open").count()
        return ApiResponse({"labeled": labeled, "open_pairs": open_pairs})


class ImportList(JobList):
    """Imports (leads). POST a file: the same formats and errors as `import_data`; a small file
    is imported at once (201, or 400 with every problem), a large one by a worker (202)."""

    serializer_class = s.ImportJobSerializer
    model = ImportJob
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=s.ImportUploadSerializer,
        responses={201: s.ImportJobSerializer, 202: s.ImportJobSerializer},
    )
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        data = s.ImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = import_job_create(
            project=project, user=request.user, upload=data.validated_data["file"],
            file_format=data.validated_data["file_format"],
            skip_invalid=data.validated_data["skip_invalid"],
        )  # fmt: skip
        if job.result.get("refused"):
            raise ValidationError({"file": [_issue(i) for i in job.result.get("issues", [])]})
        done = job.status == ImportJob.Status.DONE
        code = status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED
        return ApiResponse(s.ImportJobSerializer(job).data, status=code)


def _issue(issue: dict) -> str:
    where = ":".join(str(issue[k]) for k in ("file", "line") if issue.get(k) is not None)
    field = f" {issue['field']}:" if issue.get("field") else ""
    return f"{where}:{field} {issue['reason']}"


class ImportDetail(JobDetail):
    serializer_class = s.ImportJobSerializer
    model = ImportJob


class ExportList(JobList):
    """Exports (leads). POST starts one (a worker builds it; poll its status, then download)."""

    serializer_class = s.ExportJobSerializer
    model = ExportJob

    @extend_schema(request=s.ExportStartSerializer, responses={202: s.ExportJobSerializer})
    def post(self, request: Request, slug: str) -> ApiResponse:
        project = project_for(request, slug, lead=True)
        data = s.ExportStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = export_job_start(project=project, user=request.user, params=data.validated_data)
        except ExportError as exc:
            raise ValidationError({"params": [str(exc)]}) from None
        return ApiResponse(s.ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportDetail(JobDetail):
    serializer_class = s.ExportJobSerializer
    model = ExportJob


class ExportDownload(APIView):
    """The finished export as a zip file."""

    @extend_schema(responses={(200, "application/zip"): OpenApiResponse(description="zip")})
    def get(self, request: Request, slug: str, pk: int):
        project = project_for(request, slug, lead=True)
        job = in_project(ExportJob, project, pk)
        if job.status != ExportJob.Status.DONE:
            raise NotFound(f"Export {job.id} is {job.status}, not done.")
        try:
            handle = open(job.file_path, "rb")  # noqa: SIM115 (FileResponse closes it)
        except OSError:
            raise NotFound("The export file is gone; start the export again.") from None
        return FileResponse(handle, as_attachment=True, filename=job.file_path.rsplit("/", 1)[-1])
