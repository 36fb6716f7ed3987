"""What a new password means for the account's other credentials."""

from __future__ import annotations

from rest_framework.authtoken.models import Token


class RevokeTokensOnChange:
    """Listed with the password validators so that every way of changing a password (the
    set-password link, the admin, `manage.py changepassword`) ends the account's API tokens:
    Django calls `password_changed` of each validator once the new password is saved."""

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return ""
