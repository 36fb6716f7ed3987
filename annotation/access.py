"""One access helper per object type: 404 for strangers, 403 for the wrong role. A member whose
access a lead turned off (Membership.deactivated_at) is a stranger again."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Model
from django.http import Http404

from annotation.models import Project, Role
from config import rows
from config.auth import reading_user_with

# Read on every request a member makes (the annotate loop included): a fixed statement costs
# about a fifth of the CPU of the same select_related query built by the ORM, and about two
# thirds of a RawQuerySet's (config/rows.py).
MEMBER_PROJECT = """
SELECT {columns}, m.role
FROM annotation_project p JOIN annotation_membership m ON m.project_id = p.id
WHERE p.slug = %s AND m.user_id = %s AND m.deactivated_at IS NULL
"""


# The signed-in user and, in the same statement, the project named by `slug` with the user's role
# in it (NULLs where they are not a member): a member view's two reads in one (member_required).
USER_AND_MEMBER = """
SELECT {user_columns}, {project_columns}, m.role
FROM {user_table} u
LEFT JOIN (annotation_membership m
           JOIN annotation_project p ON p.id = m.project_id AND p.slug = %s)
       ON m.user_id = u.{user_key} AND m.deactivated_at IS NULL
WHERE u.{user_key} = %s
"""


def member_required(view: Callable) -> Callable:
    """`login_required` for a view of one project (its `slug` argument) that reads the signed-in
    user and their membership of that project in one statement: `get_project_for_member` then
    finds the project on the user, as it was when the request began, without a query of its own.
    Django checks the session and the user exactly as it does for `login_required`; the user it
    accepted then stands in `request.user` itself, not behind Django's lazy proxy (each attribute
    read through the proxy costs a raised and caught AttributeError: about 25 per answer)."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request, slug: str, *args, **kwargs):
        if router.db_for_read(Project) == router.db_for_read(get_user_model()):
            read: list[Model | None] = []

            def reader(model: type[Model], alias: str, pk) -> Model | None:
                read.append(user_and_member(model, alias, pk, slug=slug))
                return read[-1]

            with reading_user_with(reader):
                # Accepted means the backend returned what `reader` read (read[0]).
                if request.user.is_authenticated and read:
                    request.user = read[0]
        return guarded(request, slug, *args, **kwargs)

    return wrapper


def user_and_member(model: type[Model], alias: str, pk, *, slug: str) -> Model | None:
    """The user with key `pk`, its `member_of` holding {slug: the project, with `member_role`,
    or None where the user is not a member}; None if there is no such user."""
    connection = connections[alias]
    user_cols = rows.columns(model, connection, "u")
    project_cols = rows.columns(Project, connection, "p")
    with connection.cursor() as cursor:
        statement = _user_and_member(model, connection, user_cols.select, project_cols.select)
        cursor.execute(statement, [slug, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    user = rows.instance(model, alias, connection, user_cols, row)
    rest = row[len(user_cols.names) :]
    member = rest[-1] is not None
    user.member_of = {slug: _with_role(alias, connection, project_cols, rest) if member else None}
    return user


def _with_role(alias: str, connection, cols: rows.Columns, values) -> Project:
    """The project from `values` (its columns, then the member's role), with `member_role`."""
    project = rows.instance(Project, alias, connection, cols, values)
    project.member_role = values[-1]
    return project


@lru_cache(maxsize=8)
def _user_and_member(model, connection, user_select: str, project_select: str) -> str:
    quote = connection.ops.quote_name
    return USER_AND_MEMBER.format(
        user_columns=user_select,
        project_columns=project_select,
        user_table=quote(model._meta.db_table),
        user_key=quote(model._meta.pk.column),
    )


def get_project_for_member(request, slug: str) -> tuple[Project, str]:
    """The project and the user's role in it; 404 if the user is not an active member."""
    if not request.user.is_authenticated:
        raise Http404("No such project.")
    known = getattr(request.user, "member_of", None) or {}
    project = known[slug] if slug in known else member_project(request.user, slug)
    if project is None:
        raise Http404("No such project.")
    return project, project.member_role


def member_project(user, slug: str) -> Project | None:
    """The project, with the user's role as `member_role`, if the user is one of its active
    members."""
    alias = router.db_for_read(Project)
    connection = connections[alias]
    cols = rows.columns(Project, connection, "p")
    with connection.cursor() as cursor:
        cursor.execute(_member_project(cols.select), [slug, user.pk])
        row = cursor.fetchone()
    return None if row is None else _with_role(alias, connection, cols, row)


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
