"""Accounts API: register, login, refresh, logout, me (JWT via simplejwt)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.authentication import refresh_token_for
from accounts.models import User
from accounts.services import user_register
from uaip.api import (
    AUTHENTICATED_ERRORS,
    BODY_ERRORS,
    PUBLIC_ERRORS,
    Email,
    Text,
    call_service,
    documented,
    errors,
    trimmed,
)
from uaip.ratelimits import ApiThrottle, by_ip, count_registration, enforce


def access_lifetime_seconds() -> int:
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    assert isinstance(lifetime, timedelta)
    return int(lifetime.total_seconds())


def token_pair(user: User) -> dict[str, Any]:
    refresh = refresh_token_for(user)  # carries the session epoch (accounts/authentication.py)
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
    # Logins are counted per IP and locked per (account, IP) inside authenticate() (accounts/backends.py);
    # registrations are counted by the view itself.
    throttle_classes = [ApiThrottle]


class RegisterView(_PublicAuthView):
    """Create an account and get its first tokens."""

    @extend_schema(request=RegisterInput, responses={201: AuthOutput, **errors(*BODY_ERRORS, *PUBLIC_ERRORS)}, auth=[])
    def post(self, request: Request) -> Response:
        email = request.data.get("email", "") if hasattr(request.data, "get") else ""
        count_registration(request, str(email))
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
        # A token login is a login: the signal resets the (account, IP) failure count and records last_login,
        # as django.contrib.auth.login() does for the pages.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
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
        except User.DoesNotExist as exc:  # simplejwt looks the user up with .get(): a deleted account
            raise exceptions.AuthenticationFailed(
                "The account of this token no longer exists.", code="token_not_valid"
            ) from exc
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


# --- Account security: password change and reset, log out everywhere, export, delete --------------------------


class PasswordChangeInput(serializers.Serializer):
    current_password = Text(write_only=True, trim_whitespace=False, max_length=128)
    new_password = Text(write_only=True, trim_whitespace=False, max_length=128)


class PasswordResetInput(serializers.Serializer):
    email = Email(max_length=254)


class PasswordResetConfirmInput(serializers.Serializer):
    uid = Text(max_length=64, help_text="The `uid` part of the e-mailed link `/accounts/reset/{uid}/{token}/`.")
    token = Text(max_length=128, help_text="The `token` part of the same link.")
    new_password = Text(write_only=True, trim_whitespace=False, max_length=128)


class PasswordInput(serializers.Serializer):
    password = Text(write_only=True, trim_whitespace=False, max_length=128, help_text="Your current password.")


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class ExportAccountOutput(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    last_login = serializers.DateTimeField(allow_null=True)


class ExportOutput(serializers.Serializer):
    format_version = serializers.IntegerField()
    exported_at = serializers.DateTimeField()
    account = ExportAccountOutput()
    sessions = serializers.ListField(
        child=serializers.DictField(),
        help_text="Each session's own fields, plus every row of its `stage_states`, `answers` (every version), "
        "`acknowledgements`, `checkpoints`, `consistency_reviews`, `charters` (every version) and `runs`.",
    )


RESET_ACCEPTED = "If an account has this address, a password-reset link is on its way. It works once."


def _account(request: Request) -> User:
    """The authenticated caller (these views require authentication, so never the anonymous user)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


def _count_password_check(request: Request) -> None:
    """Guessing the current password through these endpoints is limited per user, like logins are."""
    enforce(request, limit_name="account_password")


def _password_checked_call(action: Any, **kwargs: Any) -> Any:
    """Run a service that checks the user's password: a wrong one is 403 ``wrong_password`` (the token is fine, so
    not 401; and not 400, since the request itself is well formed), other validation errors stay 400."""
    try:
        return call_service(action, **kwargs)
    except exceptions.ValidationError as exc:
        if isinstance(exc.__cause__, account_services.WrongPassword):
            raise exceptions.PermissionDenied(account_services.WRONG_PASSWORD, code="wrong_password") from exc
        raise


def _keep_this_web_session(request: Request, user: User) -> None:
    """A browsable-API caller stays logged in on this browser (its session hash moved with the epoch)."""
    if isinstance(request.successful_authenticator, SessionAuthentication):
        update_session_auth_hash(request._request, user)


class PasswordChangeView(APIView):
    """Change your password. Every other session and token of the account stops working; the answer carries new
    tokens for this client."""

    @extend_schema(
        request=PasswordChangeInput,
        responses={200: TokenOutput, **errors(*BODY_ERRORS, 403, *AUTHENTICATED_ERRORS)},
        description="403 `wrong_password` when `current_password` is not yours; 400 `errors.new_password` with "
        "every password-validator message when the new one is too weak.",
    )
    def post(self, request: Request) -> Response:
        _count_password_check(request)
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _account(request)
        _password_checked_call(account_services.password_change, user=user, **data.validated_data)
        _keep_this_web_session(request, user)
        return Response(TokenOutput(token_pair(user)).data)


class PasswordResetView(_PublicTokenView):
    """Ask for a password-reset link by e-mail. Always 202, whether or not the address has an account."""

    throttle_classes = [ApiThrottle]

    @extend_schema(
        request=PasswordResetInput, responses={202: DetailOutput, **errors(*BODY_ERRORS, *PUBLIC_ERRORS)}, auth=[]
    )
    def post(self, request: Request) -> Response:
        enforce(request, limit_name="password_reset_ip", key=by_ip)
        data = PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        email = data.validated_data["email"].strip().lower()
        enforce(request, limit_name="password_reset_email", key=lambda group, req: f"email:{email}")
        account_services.password_reset_request(email=email, base_url=request.build_absolute_uri("/"))
        return Response({"detail": RESET_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(_PublicTokenView):
    """Set a new password with the `uid` and `token` of an e-mailed reset link (400 `errors.token` when the link is
    invalid, used or expired). Every session and token of the account stops working."""

    throttle_classes = [ApiThrottle]

    @extend_schema(
        request=PasswordResetConfirmInput, responses={204: None, **errors(*BODY_ERRORS, *PUBLIC_ERRORS)}, auth=[]
    )
    def post(self, request: Request) -> Response:
        enforce(request, limit_name="password_reset_ip", key=by_ip)
        data = PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        call_service(
            account_services.password_reset_confirm,
            uidb64=data.validated_data["uid"],
            token=data.validated_data["token"],
            new_password=data.validated_data["new_password"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """Log out everywhere: every refresh token, every access token issued so far and every other web session of
    the account stop working (this browser's session, if it made the call, stays logged in)."""

    @extend_schema(request=None, responses={204: None, **errors(*AUTHENTICATED_ERRORS)})
    def post(self, request: Request) -> Response:
        user = _account(request)
        account_services.user_logout_everywhere(user=user)
        _keep_this_web_session(request, user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _DeleteWithBodySchema(AutoSchema):
    """drf-spectacular documents a body for POST, PUT and PATCH only; ``DELETE /me`` takes the password in its body
    (OpenAPI 3.0 allows a DELETE body, and clients send one), so document it there too."""

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"  # the parent only builds bodies for unsafe methods
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


class AccountView(APIView):
    """Your account: read it, or delete it with everything in it."""

    schema = _DeleteWithBodySchema()

    @extend_schema(operation_id="me_retrieve", responses={200: UserOutput, **errors(*AUTHENTICATED_ERRORS)})
    def get(self, request: Request) -> Response:
        return Response(UserOutput(request.user).data)

    @extend_schema(
        operation_id="me_destroy",
        request=PasswordInput,
        responses={204: None, **errors(*BODY_ERRORS, 403, *AUTHENTICATED_ERRORS)},
        description="Deletes the account and its scoping sessions (answers, charters, runs…); confirm with the "
        "password (403 `wrong_password` when it is not yours). Other owners' sessions are untouched.",
    )
    def delete(self, request: Request) -> Response:
        _count_password_check(request)
        data = PasswordInput(data=request.data)
        data.is_valid(raise_exception=True)
        _password_checked_call(
            account_services.account_delete, user=_account(request), password=data.validated_data["password"]
        )
        if isinstance(request.successful_authenticator, SessionAuthentication):
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccountExportView(APIView):
    """Everything UAIP holds about you, as JSON: the account and every session with all its answers (every
    version), stage states, checkpoints, acknowledgements, consistency reviews, charters and runs."""

    @extend_schema(
        operation_id="me_export_retrieve",
        responses={200: ExportOutput, **errors(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        return Response(account_selectors.account_export(user=_account(request)))


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only: DRF's field also takes 0, "yes", "on"…, which the schema does not allow."""

    def to_internal_value(self, data: Any) -> bool:
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


class PreferencesSerializer(serializers.Serializer):
    focus_mode = StrictBooleanField(
        required=False, help_text="The stage page shows one question at a time (Ctrl+Enter saves and moves on)."
    )


class PreferencesView(APIView):
    """Your interface preferences: read them, or change the ones you send."""

    @extend_schema(
        operation_id="me_preferences_retrieve",
        responses={200: PreferencesSerializer, **errors(*AUTHENTICATED_ERRORS)},
    )
    def get(self, request: Request) -> Response:
        return Response(PreferencesSerializer(_account(request)).data)

    @extend_schema(
        operation_id="me_preferences_partial_update",
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, **errors(*BODY_ERRORS, *AUTHENTICATED_ERRORS)},
    )
    def patch(self, request: Request) -> Response:
        data = PreferencesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = account_services.preferences_update(user=_account(request), **data.validated_data)
        return Response(PreferencesSerializer(user).data)
