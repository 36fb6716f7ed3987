"""One access helper per object type: 404 for strangers, 403 for the wrong role."""

from __future__ import annotations

from functools import lru_cache

from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.http import Http404

from annotation.models import Project, Role
from config import rows

# Read on every request a member makes (the annotate loop included): a fixed statement costs
# about a fifth of the CPU of the same select_related query built by the ORM, and about two
# thirds of a RawQuerySet's (config/rows.py).
MEMBER_PROJECT = """
SELECT {columns}, m.role
FROM annotation_project p JOIN annotation_membership m ON m.project_id = p.id
WHERE p.slug = %s AND m.user_id = %s
"""


def get_project_for_member(request, slug: str) -> tuple[Project, str]:
    """The project and the user's role in it; 404 if the user is not a member."""
    if not request.user.is_authenticated:
        raise Http404("No such project.")
    project = member_project(request.user, slug)
    if project is None:
        raise Http404("No such project.")
    return project, project.member_role


def member_project(user, slug: str) -> Project | None:
    """The project, with the user's role as `member_role`, if the user is one of its members."""
    alias = router.db_for_read(Project)
    connection = connections[alias]
    cols = rows.columns(Project, connection, "p")
    with connection.cursor() as cursor:
        cursor.execute(_member_project(cols.select), [slug, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    project = rows.instance(Project, alias, connection, cols, row)
    project.member_role = row[-1]
    return project


@lru_cache(maxsize=8)
def _member_project(select: str) -> str:
    return MEMBER_PROJECT.format(columns=select)


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
