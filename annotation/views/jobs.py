"""Every kind of job, seen by a lead: its status as the pages poll it, and resuming one whose
worker died or whose task never reached a worker."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from annotation.access import get_project_for_lead
from annotation.job import KINDS, Job
from annotation.models import Project

# What a job's status says when the job has ended: pages that show its results listen for it
# and refresh those (hx-trigger="job-finished from:body").
FINISHED_EVENT = "job-finished"


def job_for_lead(request: HttpRequest, slug: str, kind: str, job_id: int) -> tuple[Project, Job]:
    """The project and its job of this kind, as its page shows it now; 404 for another
    project's job or an unknown kind, 403 for anyone but the project's leads."""
    project = get_project_for_lead(request, slug)
    if kind not in KINDS:
        raise Http404("No such kind of job.")
    job = get_object_or_404(apps.get_model(KINDS[kind][0]), id=job_id, project=project)
    return project, job.live()


def render_live(request: HttpRequest, page: str, part: str, context: dict) -> HttpResponse:
    """The whole page; with htmx (the page refreshing itself) only its live part."""
    return render(request, part if request.htmx else page, context)


@login_required
@require_GET
def job_status(request: HttpRequest, slug: str, kind: str, job_id: int) -> HttpResponse:
    """The one partial every page polls a job through; it stops polling once the job ends."""
    project, job = job_for_lead(request, slug, kind, job_id)
    context = {"project": project, "job": job, "kind": kind}
    response = render(request, "_job_status.html", context)
    if not job.is_active:
        response["HX-Trigger"] = FINISHED_EVENT
    return response


@login_required
@require_POST
def job_resume(request: HttpRequest, slug: str, kind: str, job_id: int) -> HttpResponse:
    project, job = job_for_lead(request, slug, kind, job_id)
    with transaction.atomic():
        resumed = job.resume()
        if resumed:
            job.send()
    if resumed:
        messages.success(request, f"The {kind} job {job.id} is queued again for a worker.")
    else:
        messages.warning(request, f"The {kind} job {job.id} is running or finished: left as it is.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("project_detail", slug=project.slug)
