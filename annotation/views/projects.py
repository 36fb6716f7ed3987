from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from annotation.access import get_project_for_member
from annotation.models import Membership, Project


@login_required
def home(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("project")
        .order_by("project__name")
    )
    return render(request, "annotation/home.html", {"memberships": memberships})


@login_required
def project_detail(request, slug: str):
    project, role = get_project_for_member(request, slug)
    counts = Project.objects.filter(pk=project.pk).aggregate(
        prompts=Count("prompts", distinct=True),
        pairs=Count("pairs", distinct=True),
    )
    context = {"project": project, "role": role, "counts": counts}
    return render(request, "annotation/project_detail.html", context)
