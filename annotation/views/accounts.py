"""One-time set-password links for accounts a lead created (Django's password-reset tokens)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpRequest
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_url(request: HttpRequest, user) -> str:
    """The link a lead hands to a new person. The token is made from the account's password
    and last login, so it stops working once a password is set (or after
    PASSWORD_RESET_TIMEOUT)."""
    path = reverse(
        "password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def awaits_password(user) -> bool:
    """An account that has never had a password: a lead may make it a new link."""
    return not user.has_usable_password() and user.last_login is None


def link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


class PasswordSetView(SuccessMessageMixin, auth_views.PasswordResetConfirmView):
    """Django's own reset-confirm page (it moves the token out of the URL into the session
    before showing the form); the person logs in afterwards."""

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("login")
    success_message = "Your password is set. Log in with it."
