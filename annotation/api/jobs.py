"""What every job's API shares: the fields of its status, and the view a client polls it with."""

from __future__ import annotations

from rest_framework import generics

from annotation.api.access import in_project, project_for
from annotation.job import Job

# Each job serializer's own fields come first, then these.
JOB_FIELDS = ["status", "progress", "stage", "error", "created_at", "started_at", "finished_at"]


class JobDetail(generics.RetrieveAPIView):
    """One job of the project (leads): its status and progress, and once done its results."""

    model: type[Job]

    def get_object(self) -> Job:
        project = project_for(self.request, self.kwargs["slug"], lead=True)
        return in_project(self.model, project, self.kwargs["pk"]).live()
