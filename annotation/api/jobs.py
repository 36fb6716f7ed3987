"""What every job's API shares: the fields of its status, and the views that list and poll it."""

from __future__ import annotations

from rest_framework import generics

from annotation.api.access import WriteThrottle, in_project, project_for
from annotation.job import Job

# Each job serializer's own fields come first, then these.
JOB_FIELDS = ["status", "progress", "stage", "error", "created_at", "started_at", "finished_at"]


class JobList(generics.ListAPIView):
    """A project's jobs of one kind (leads), newest first; each kind's POST starts one."""

    model: type[Job]
    order_by = "-created_at"
    throttle_classes = [WriteThrottle]

    def get_queryset(self):
        project = project_for(self.request, self.kwargs["slug"], lead=True)
        return self.model.objects.filter(project=project).order_by(self.order_by)


class JobDetail(generics.RetrieveAPIView):
    """One job of the project (leads): its status and progress, and once done its results."""

    model: type[Job]

    def get_object(self) -> Job:
        project = project_for(self.request, self.kwargs["slug"], lead=True)
        return in_project(self.model, project, self.kwargs["pk"]).live()
