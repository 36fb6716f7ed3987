"""The project's URLs plus one view that fails, for the 500 page's test."""

from __future__ import annotations

from django.urls import path

from config.urls import urlpatterns as project_urls


def broken(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("broken/", broken), *project_urls]
