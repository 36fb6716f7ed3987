from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotation.forms import LimitedAuthenticationForm
from annotation.views.accounts import PasswordSetView
from selection.urls import api_urlpatterns as selection_api

# The pages annotators hit on every answer come first, so that resolving them does not try (and
# fail) the admin's and the API's patterns. No two routes overlap (tests/test_urls.py), so the
# order changes no route.
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LimitedAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("annotation.urls")),
    path("", include("selection.urls")),
    path("api/v1/", include("annotation.api.urls")),
    # selection's API routes (runs, effort, metrics, SPA): annotation never imports selection.
    path("api/v1/", include(selection_api)),
    path("admin/", admin.site.urls),
    # A one-time link a lead hands to someone whose account they created.
    path("accounts/set-password/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_set"),
]
# JSON under /api/, the styled pages (templates/404.html, 500.html) everywhere else.
handler404 = "config.errors.handler404"
handler500 = "config.errors.handler500"
