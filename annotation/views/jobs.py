"""A lead resumes a job whose worker died, or whose task never reached a worker."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from annotation.access import get_project_for_lead
from annotation.job import RESUMABLE
from config.celery import app


@login_required
@require_POST
def job_resume(request: HttpRequest, slug: str, kind: str, job_id: int) -> HttpResponse:
    project = get_project_for_lead(request, slug)
    if kind not in RESUMABLE:
        raise Http404("No such kind of job.")
    model_name, task_name = RESUMABLE[kind]
    job = get_object_or_404(apps.get_model(model_name), id=job_id, project=project)
    with transaction.atomic():
        resumed = job.resume()
        if resumed:
            app.tasks[task_name].delay_on_commit(job.id)
    if resumed:
        messages.success(request, f"The {kind} job {job.id} is queued again for a worker.")
    else:
        messages.warning(request, f"The {kind} job {job.id} is running or finished: left as it is.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("project_detail", slug=project.slug)
