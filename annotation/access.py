"""One access helper per object type: 404 for strangers, 403 for the wrong role. A member whose
access a lead turned off (Membership.deactivated_at) is a stranger again."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from annotation.models import Membership, Project, Role


def get_project_for_member(request, slug: str) -> tuple[Project, str]:
    """The project and the user's role in it; 404 if the user is not an active member."""
    if not request.user.is_authenticated:
        raise Http404("No such project.")
    project = member_project(request.user, slug)
    if project is None:
        raise Http404("No such project.")
    return project, project.member_role


def member_project(user, slug: str) -> Project | None:
    """The project, with the user's role as `member_role`, if the user is one of its active
    members."""
    membership = (
        Membership.objects.select_related("project")
        .filter(project__slug=slug, user=user, deactivated_at=None)
        .first()
    )
    if membership is None:
        return None
    membership.project.member_role = membership.role
    return membership.project


def get_project_for_lead(request, slug: str) -> Project:
    project, role = get_project_for_member(request, slug)
    if role != Role.LEAD:
        raise PermissionDenied("Only the project's leads can do this.")
    return project


def get_project_for_command(slug: str) -> Project:
    """The project for a management command, or a CommandError naming the slug."""
    from django.core.management.base import CommandError

    project = Project.objects.filter(slug=slug).first()
    if project is None:
        raise CommandError(f"no project with slug {slug!r}")
    return project
