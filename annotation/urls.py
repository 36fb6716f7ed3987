from __future__ import annotations

from django.urls import path

import annotation.converters  # noqa: F401 (registers the <id:...> converter)
from annotation.views import annotate, exports, imports, jobs, lead, members, projects

urlpatterns = [
    path("", projects.home, name="home"),
    path("projects/<slug:slug>/", projects.project_detail, name="project_detail"),
    path("projects/<slug:slug>/annotate/", annotate.annotate, name="annotate"),
    path("projects/<slug:slug>/annotate/submit/", annotate.submit, name="annotate_submit"),
    path("projects/<slug:slug>/annotate/undo/", annotate.undo, name="annotate_undo"),
    path("projects/<slug:slug>/members/", members.members, name="members"),
    path(
        "projects/<slug:slug>/leases/<id:assignment_id>/release/",
        lead.lease_release,
        name="lease_release",
    ),
    path("projects/<slug:slug>/pairs/<id:pair_id>/adjudicate/", lead.adjudicate, name="adjudicate"),
    path("projects/<slug:slug>/jobs/<slug:kind>/<id:job_id>/", jobs.job_status, name="job_status"),
    path(
        "projects/<slug:slug>/jobs/<slug:kind>/<id:job_id>/resume/",
        jobs.job_resume,
        name="job_resume",
    ),
    path("projects/<slug:slug>/import/", imports.import_upload, name="import_upload"),
    path("projects/<slug:slug>/imports/<id:job_id>/", imports.import_job, name="import_job"),
    path("projects/<slug:slug>/export/", exports.export_page, name="export"),
    path("projects/<slug:slug>/exports/<id:job_id>/", exports.export_job, name="export_job"),
    path(
        "projects/<slug:slug>/exports/<id:job_id>/download/",
        exports.export_download,
        name="export_download",
    ),
]
