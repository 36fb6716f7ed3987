"""The lead's export page: choose a format and policy, watch the job, download the file."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from annotation.access import get_project_for_lead
from annotation.export.jobs import export_job_start
from annotation.export.service import ExportError
from annotation.export.writers import FORMATS
from annotation.models import ExportJob
from annotation.views.jobs import job_for_lead, render_live

RECENT_JOBS = 10


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(label="Format", choices=[(f, f) for f in FORMATS], initial="jsonl")
    conversational = forms.BooleanField(required=False, label="Conversational (message lists)")
    include_model_labels = forms.BooleanField(
        required=False, label="Include pairs only a judge model labeled"
    )
    min_agreement = forms.FloatField(min_value=0, max_value=1, initial=0.5)
    test_share = forms.FloatField(
        min_value=0, max_value=0.9, initial=0.0, label="Test share (split by prompt)"
    )
    license_name = forms.CharField(max_length=100, initial="unspecified", label="Licence")


@login_required
def export_page(request, slug: str):
    project = get_project_for_lead(request, slug)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = export_job_start(project=project, user=request.user, params=form.cleaned_data)
        except ExportError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Export {job.id} started.")
            return redirect("export_job", slug=project.slug, job_id=job.id)
    jobs = ExportJob.objects.filter(project=project).order_by("-created_at")[:RECENT_JOBS]
    status = 400 if form.errors else 200
    context = {"project": project, "form": form, "jobs": jobs}
    return render(request, "annotation/export.html", context, status=status)


@login_required
def export_job(request, slug: str, job_id: int):
    project, job = job_for_lead(request, slug, "export", job_id)
    context = {"project": project, "job": job}
    return render_live(
        request, "annotation/export_job.html", "annotation/_export_job_status.html", context
    )


@login_required
def export_download(request, slug: str, job_id: int):
    project = get_project_for_lead(request, slug)
    job = get_object_or_404(ExportJob, id=job_id, project=project, status=ExportJob.Status.DONE)
    try:
        handle = open(job.file_path, "rb")  # noqa: SIM115 (FileResponse closes it)
    except OSError:
        raise Http404("The export file is gone; start the export again.") from None
    return FileResponse(handle, as_attachment=True, filename=job.file_path.rsplit("/", 1)[-1])
