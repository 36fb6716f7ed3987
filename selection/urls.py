from __future__ import annotations

from django.urls import path

from selection import views

urlpatterns = [
    path("projects/<slug:slug>/selection/", views.runs, name="selection_runs"),
    path("projects/<slug:slug>/selection/<int:run_id>/retry/", views.retry, name="selection_retry"),
]
