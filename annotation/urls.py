from __future__ import annotations

from django.urls import path

from annotation.views import projects

urlpatterns = [
    path("", projects.home, name="home"),
    path("projects/<slug:slug>/", projects.project_detail, name="project_detail"),
]
