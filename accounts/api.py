"""Accounts API: register, login, refresh, logout, me (JWT via simplejwt)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import user_register
from uaip.api import AUTHENTICATED_ERRORS, BODY_ERRORS, PUBLIC_ERRORS, Email, Text, documented, errors, trimmed
from uaip.ratelimits import ApiThrottle, AuthEmailThrottle, AuthIpThrottle


def access_lifetime_seconds() -> int:
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    assert isinstance(lifetime, timedelta)
    return int(lifetime.total_seconds())


def token_pair(user: User) -> dict[str, Any]:
    refresh = RefreshToken.for_user(user)
    return {"token": str(refresh.access_token), "refresh": str(refresh), "expires_in": access_lifetime_seconds()}


class RegisterInput(serializers.Serializer):
    email = Email(max_length=254)
    password = Text(write_only=True, trim_whitespace=False, max_length=128)
    name = documented(Text, trimmed(0, 150))(max_length=150, required=False, allow_blank=True, default="")


class LoginInput(serializers.Serializer):
    email = Email(max_length=254)
    password = Text(write_only=True, trim_whitespace=False, max_length=128)


class RefreshInput(serializers.Serializer):
    refresh = documented(Text, trimmed(1))()


class AuthOutput(serializers.Serializer):
    user_id = serializers.UUIDField()
    email = serializers.EmailField(required=False)
    name = serializers.CharField(required=False)
    token = serializers.CharField(help_text="Access token: send as `Authorization: Bearer <token>`.")
    refresh = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    refresh = serializers.CharField()
    expires_in = serializers.IntegerField()


class UserOutput(serializers.Serializer):
    user_id = serializers.UUIDField(source="id")
    email = serializers.EmailField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()


class _PublicTokenView(APIView):
    """Endpoints that hand out tokens: no authentication needed, but failures are 401 (not 403)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class _PublicAuthView(_PublicTokenView):
    throttle_classes = [ApiThrottle, AuthIpThrottle, AuthEmailThrottle]


class RegisterView(_PublicAuthView):
    """Create an account and get its first tokens."""

    @extend_schema(request=RegisterInput, responses={201: AuthOutput, **errors(*BODY_ERRORS, *PUBLIC_ERRORS)}, auth=[])
    def post(self, request: Request) -> Response:
        data = RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = user_register(**data.validated_data)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        body = {"user_id": user.id, "email": user.email, "name": user.name, **token_pair(user)}
        return Response(AuthOutput(body).data, status=status.HTTP_201_CREATED)


class LoginView(_PublicAuthView):
    """Exchange an e-mail address and password for tokens (401 `invalid_credentials` when they do not match)."""

    @extend_schema(
        request=LoginInput, responses={200: AuthOutput, **errors(*BODY_ERRORS, 401, *PUBLIC_ERRORS)}, auth=[]
    )
    def post(self, request: Request) -> Response:
        data = LoginInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request, username=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None:
            raise exceptions.AuthenticationFailed("Wrong e-mail address or password.", code="invalid_credentials")
        return Response(AuthOutput({"user_id": user.pk, **token_pair(user)}).data)


class RefreshView(_PublicTokenView):
    """Exchange a refresh token for new tokens; the old refresh token stops working (rotation)."""

    @extend_schema(
        request=RefreshInput, responses={200: TokenOutput, **errors(*BODY_ERRORS, 401, *PUBLIC_ERRORS)}, auth=[]
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRefreshSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from exc
        tokens = serializer.validated_data
        body = {"token": tokens["access"], "refresh": tokens["refresh"], "expires_in": access_lifetime_seconds()}
        return Response(TokenOutput(body).data)


class LogoutView(APIView):
    """Revoke a refresh token of your own account (403 for another account's)."""

    @extend_schema(request=RefreshInput, responses={204: None, **errors(*BODY_ERRORS, 403, *AUTHENTICATED_ERRORS)})
    def post(self, request: Request) -> Response:
        data = RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token = RefreshToken(data.validated_data["refresh"])
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(str(exc), code="token_not_valid") from exc
        if str(token.get("user_id")) != str(request.user.pk):
            raise exceptions.PermissionDenied("This refresh token belongs to another account.")
        token.blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The account the token belongs to."""

    @extend_schema(responses={200: UserOutput, **errors(*AUTHENTICATED_ERRORS)})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)
