from __future__ import annotations

from django.urls import path

from annotation.views import imports, projects

urlpatterns = [
    path("", projects.home, name="home"),
    path("projects/<slug:slug>/", projects.project_detail, name="project_detail"),
    path("projects/<slug:slug>/import/", imports.import_upload, name="import_upload"),
    path("projects/<slug:slug>/imports/<int:job_id>/", imports.import_job, name="import_job"),
]
