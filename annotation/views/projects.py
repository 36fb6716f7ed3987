from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from annotation.access import get_project_for_member
from annotation.models import Label, Membership, Role
from annotation.views.lead import lead_dashboard


@login_required
def home(request):
    memberships = (
        Membership.objects.active()
        .filter(user=request.user)
        .select_related("project")
        .order_by("project__name")
    )
    done = dict(
        Label.objects.live()
        .human()
        .filter(annotator=request.user)
        .values_list("pair__project_id")
        .annotate(n=Count("id"))
    )
    rows = [(m, done.get(m.project_id, 0)) for m in memberships]
    return render(request, "annotation/home.html", {"rows": rows})


@login_required
def project_detail(request, slug: str):
    project, role = get_project_for_member(request, slug)
    if role == Role.LEAD:
        return lead_dashboard(request, project)
    mine = Label.objects.live().human().filter(project=project, annotator=request.user)
    context = {
        "project": project,
        "role": role,
        "done_total": mine.count(),
        "recent": mine.select_related("pair").order_by("-created_at")[:20],
    }
    return render(request, "annotation/annotator_project.html", context)
