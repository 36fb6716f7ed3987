"""Project access for API views: 404 for non-members (as in the UI), 403 for the wrong role.
Anonymous requests never get here: the API requires authentication (401)."""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.throttling import ScopedRateThrottle

from annotation.access import member_project
from annotation.models import Project, Role

M = TypeVar("M", bound=models.Model)


def project_for(request, slug: str, *, lead: bool = False) -> Project:
    project = member_project(request.user, slug)
    if project is None:
        raise NotFound("No such project.")
    if lead and project.member_role != Role.LEAD:
        raise PermissionDenied("Only the project's leads can do this.")
    return project


def in_project(model: type[M], project: Project, pk: int) -> M:
    """The project's row of `model` with this id; any other is not found, as for a non-member."""
    found = model.objects.filter(project=project, id=pk).first()
    if found is None:
        raise NotFound("Not found.")
    return found


class WriteThrottle(ScopedRateThrottle):
    """Rate-limits writes (scope "write"); reads are not throttled."""

    scope_attr = "throttle_scope"

    def allow_request(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        view.throttle_scope = "write"
        return super().allow_request(request, view)
