"""API sign-in with expiring, hashed tokens (django-rest-knox).

- ``POST /api/v1/auth/token/`` with ``{"username", "password"}`` answers ``{"token", "expiry"}``:
  a new token each time, stored only as its SHA-512 digest, valid ``API_TOKEN_TTL_DAYS``.
- ``Authorization: Token <key>`` authenticates; an expired, revoked or deactivated person's
  token answers 401.
- ``GET /api/v1/auth/tokens/`` lists the caller's own tokens; ``DELETE …/tokens/{id}/`` revokes one.
- ``POST /api/v1/auth/logout/`` revokes the token used; ``POST /api/v1/auth/logout-all/`` every one.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selectors, services
from core.models import agency_of


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A key from POST /api/v1/auth/token/, sent as "Token <key>".',
        }


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        request = self.context.get("request")
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if getattr(request, "axes_locked_out", False):
            raise exceptions.Throttled(
                detail=_(
                    "Too many failed login attempts for this account from your address. "
                    "Wait 15 minutes and try again."
                )
            )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                _("Unable to log in with the given username and password."), code="authorization"
            )
        if agency_of(user) is None:
            raise serializers.ValidationError(
                _("This account is not a member of any agency."), code="authorization"
            )
        attrs["user"] = user
        return attrs


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as: Authorization: Token <token>. Shown only once."))
    expiry = serializers.DateTimeField()


class TokenView(APIView):
    """Exchange a username and password for a new API token (send it as ``Authorization: Token …``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer}, auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_issue(user=serializer.validated_data["user"])
        return Response(
            TokenResponseSerializer({"token": key, "expiry": token.expiry}).data, status=status.HTTP_200_OK
        )


class TokenListSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_("Names the token for revocation; not the key."))
    starts_with = serializers.CharField(help_text=_("The first characters of the key."))
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField(help_text=_("The token this request was made with."))


class TokenListView(APIView):
    """Your own API tokens, newest first."""

    @extend_schema(responses={200: TokenListSerializer(many=True)})
    def get(self, request):
        current = selectors.api_token_id(request.auth) if _is_token(request.auth) else None
        rows = [{**row, "current": row["id"] == current} for row in selectors.api_tokens_of(request.user)]
        return Response(TokenListSerializer(rows, many=True).data)


class TokenDetailView(APIView):
    """Revoke one of your own API tokens by its id (another person's token answers 404)."""

    @extend_schema(responses={204: None})
    def delete(self, request, token_id: str):
        if not services.api_token_revoke(user=request.user, token_id=token_id):
            raise exceptions.NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    """Revoke the token this request is made with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if not _is_token(request.auth):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("This request was not made with an API token.")]}
            )
        services.api_token_revoke(user=request.user, token_id=selectors.api_token_id(request.auth))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Revoke every API token of yours."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.api_tokens_revoke_all(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _is_token(auth) -> bool:
    return auth is not None and hasattr(auth, "digest")
