from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import annotation.converters  # noqa: F401 (registers the <id:...> converter)
from annotation.api import views as v
from annotation.api.tokens import TokenView

P = "projects/<slug:slug>/"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # POST username + password → {"token": ...}; then send "Authorization: Token <token>".
    # DELETE with that header revokes it. A password change revokes it too.
    path("token/", TokenView.as_view(), name="api-token"),
    path("projects/", v.ProjectList.as_view(), name="api-projects"),
    path(P, v.ProjectDetail.as_view(), name="api-project"),
    path(P + "members/", v.MemberList.as_view(), name="api-members"),
    path(P + "prompts/", v.PromptList.as_view(), name="api-prompts"),
    path(P + "responses/", v.ResponseList.as_view(), name="api-responses"),
    path(P + "pairs/", v.PairList.as_view(), name="api-pairs"),
    path(P + "lease/", v.Lease.as_view(), name="api-lease"),
    path(P + "labels/", v.Submit.as_view(), name="api-submit"),
    path(P + "labels/undo/", v.Undo.as_view(), name="api-undo"),
    path(P + "progress/", v.Progress.as_view(), name="api-progress"),
    path(P + "imports/", v.ImportList.as_view(), name="api-imports"),
    path(P + "imports/<id:pk>/", v.ImportDetail.as_view(), name="api-import"),
    path(P + "exports/", v.ExportList.as_view(), name="api-exports"),
    path(P + "exports/<id:pk>/", v.ExportDetail.as_view(), name="api-export"),
    path(P + "exports/<id:pk>/download/", v.ExportDownload.as_view(), name="api-export-file"),
]
