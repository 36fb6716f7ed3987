"""The API token: POST username and password for one, DELETE to revoke your own."""

from __future__ import annotations

from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotAuthenticated, Throttled, ValidationError
from rest_framework.response import Response

from annotation import login_limits


class TokenView(ObtainAuthToken):
    def post(self, request, *args, **kwargs):
        data = request.data if hasattr(request.data, "get") else {}
        who = {"username": str(data.get("username", "")),
               "address": login_limits.client_address(request)}  # fmt: skip
        why = login_limits.refusal(**who)
        if why:
            raise Throttled(detail=why)
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            login_limits.failure(**who)
            raise ValidationError(serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    def delete(self, request, *args, **kwargs):
        """Revoke your own token (a new POST gives a new one)."""
        if not request.user.is_authenticated:
            raise NotAuthenticated("Send the token to revoke: Authorization: Token <key>.")
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
