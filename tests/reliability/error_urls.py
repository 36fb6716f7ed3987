"""The project's URLs and error handlers, plus an API path whose view fails."""

from __future__ import annotations

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

import config.urls


@api_view(["GET"])
@permission_classes([AllowAny])
def broken(request):
    raise RuntimeError("a bug in an API view")


urlpatterns = [path("api/v1/broken/", broken), *config.urls.urlpatterns]
handler404 = getattr(config.urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(config.urls, "handler500", "django.views.defaults.server_error")
