from __future__ import annotations

from django.urls import path

import annotation.converters  # noqa: F401 (registers the <id:...> converter)
from selection import api as sel
from selection.effort import views as effort_views
from selection.runs import views

urlpatterns = [
    path("projects/<slug:slug>/selection/", views.runs, name="selection_runs"),
    path("projects/<slug:slug>/selection/<id:run_id>/retry/", views.retry, name="selection_retry"),
    path(
        "projects/<slug:slug>/selection/next-batch/", views.next_batch, name="selection_next_batch"
    ),
]

urlpatterns += [
    path("projects/<slug:slug>/effort/", effort_views.effort, name="effort"),
    path("projects/<slug:slug>/effort/start/", effort_views.effort_start, name="effort_start"),
    path("projects/<slug:slug>/spa/confirm/", effort_views.spa_confirm, name="spa_confirm"),
    path("projects/<slug:slug>/spa/start/", effort_views.spa_start, name="spa_start"),
    path("projects/<slug:slug>/spa/<int:number>/apply/", effort_views.spa_apply, name="spa_apply"),
    path(
        "projects/<slug:slug>/spa/<int:number>/revert/",
        effort_views.spa_revert,
        name="spa_revert",
    ),
    path(
        "projects/<slug:slug>/effort/<slug:table>.csv", effort_views.effort_csv, name="effort_csv"
    ),
]

# The REST API's selection routes: config/urls.py mounts them under api/v1/, after annotation's.
P = "projects/<slug:slug>/"
api_urlpatterns = [
    path(P + "selection-runs/", sel.SelectionRunList.as_view(), name="api-selection-runs"),
    path(P + "selection-runs/<id:pk>/", sel.SelectionRunDetail.as_view(), name="api-selection-run"),
    path(P + "effort-runs/", sel.EffortRunList.as_view(), name="api-effort-runs"),
    path(P + "effort-runs/<id:pk>/", sel.EffortRunDetail.as_view(), name="api-effort-run"),
    path(P + "metrics/", sel.Metrics.as_view(), name="api-metrics"),
    path(P + "spa-rounds/", sel.SpaRoundList.as_view(), name="api-spa-rounds"),
    path(P + "spa-rounds/<id:pk>/apply/", sel.SpaRoundApply.as_view(), name="api-spa-apply"),
    path(P + "spa-rounds/<id:pk>/revert/", sel.SpaRoundRevert.as_view(), name="api-spa-revert"),
]
