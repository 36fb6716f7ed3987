"""The lead's import page: upload a file, then watch its job until the report is in."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from annotation.access import get_project_for_lead
from annotation.importing.formats import FORMAT_NAMES
from annotation.importing.jobs import import_job_create
from annotation.importing.report import ImportReport
from annotation.models import ImportJob
from annotation.views.jobs import job_for_lead, render_live

# Room for the multipart envelope and the other form fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024
RECENT_JOBS = 10


class ImportForm(forms.Form):
    file = forms.FileField()
    file_format = forms.ChoiceField(
        label="Format",
        choices=[("auto", "Detect")] + [(name, name) for name in FORMAT_NAMES],
        initial="auto",
    )
    skip_invalid = forms.BooleanField(
        required=False, label="Skip invalid records (default: refuse the whole file)"
    )


def _too_large_message(size: int) -> str:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    return (
        f"The file is too large to upload ({filesizeformat(size)}; the limit is "
        f"{filesizeformat(limit)}). Import it with: manage.py import_data --project SLUG FILE"
    )


@csrf_exempt
@login_required
def import_upload(request, slug: str):
    """Checks access and the declared size before anything reads the request body."""
    project = get_project_for_lead(request, slug)
    if request.method == "POST":
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        if declared > settings.IMPORT_MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES:
            return _render_form(request, project, ImportForm(), _too_large_message(declared), 413)
    return _import_upload(request, project)


@csrf_protect
def _import_upload(request, project):
    if request.method != "POST":
        return _render_form(request, project, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_form(request, project, form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        return _render_form(request, project, form, _too_large_message(upload.size), 413)
    job = import_job_create(
        project=project,
        user=request.user,
        upload=upload,
        file_format=form.cleaned_data["file_format"],
        skip_invalid=form.cleaned_data["skip_invalid"],
    )
    return redirect("import_job", slug=project.slug, job_id=job.id)


def _render_form(request, project, form, error: str = "", status: int = 200):
    jobs = ImportJob.objects.filter(project=project).order_by("-created_at")[:RECENT_JOBS]
    context = {
        "project": project,
        "form": form,
        "error": error,
        "jobs": jobs,
        "max_bytes": settings.IMPORT_MAX_UPLOAD_BYTES,
    }
    return render(request, "annotation/import_upload.html", context, status=status)


@login_required
def import_job(request, slug: str, job_id: int):
    project, job = job_for_lead(request, slug, "import", job_id)
    report = ImportReport.from_dict(job.result) if job.result else None
    context = {"project": project, "job": job, "report": report}
    return render_live(
        request, "annotation/import_job.html", "annotation/_import_job_status.html", context
    )
