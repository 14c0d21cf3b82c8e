"""Account actions shared by the web pages and the API."""

from __future__ import annotations

import smtplib

import structlog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import User, normalize_email
from sessions_app.team.services import owned_sessions_hand_over

logger = structlog.get_logger(__name__)


def email_taken(email: str) -> bool:
    return User.objects.filter(email__iexact=normalize_email(email)).exists()


@transaction.atomic
def user_register(*, email: str, password: str, name: str = "") -> User:
    """Create an account. Raises ``ValidationError`` (per field) for a taken e-mail or a weak password."""
    email = normalize_email(email)
    if email_taken(email):
        raise ValidationError({"email": ["An account with this e-mail address already exists."]})
    candidate = User(email=email, name=name.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    try:
        return User.objects.create_user(email=email, password=password, name=name.strip())
    except IntegrityError as exc:  # two registrations racing for the same address
        raise ValidationError({"email": ["An account with this e-mail address already exists."]}) from exc


# --- Account security: password change and reset, log out everywhere, delete ------------------------------------
# Every one of these raises the user's session epoch (accounts.models.User.session_epoch) and blacklists their refresh
# tokens, so other web sessions, refresh tokens and access tokens minted before stop working at once.

WRONG_PASSWORD = "That is not your current password."
RESET_LINK_INVALID = "This password-reset link is invalid or has expired. Ask for a new one."


class WrongPassword(ValidationError):
    """The password given to confirm an action is not the user's (a ``ValidationError`` on that field for forms;
    the API answers it with 403 ``wrong_password``)."""

    def __init__(self, field: str) -> None:
        super().__init__({field: [WRONG_PASSWORD]})


def tokens_revoke_all(*, user: User) -> int:
    """Blacklist every outstanding refresh token of ``user``; returns how many were newly blacklisted."""
    pending = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in pending], ignore_conflicts=True
    )
    return len(created)


@transaction.atomic
def user_logout_everywhere(*, user: User) -> None:
    """End every web session and revoke every token of ``user``. A caller that wants to keep the current web
    session logged in calls ``update_session_auth_hash`` afterwards (the views do)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    revoked = tokens_revoke_all(user=user)
    logger.info("user_logged_out_everywhere", user_id=str(user.pk), refresh_tokens_revoked=revoked)


def _new_password_checked(user: User, new_password: str, field: str = "new_password") -> None:
    try:
        validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def password_set(*, user: User, new_password: str) -> None:
    """Set a (validated) password and log the user out everywhere."""
    _new_password_checked(user, new_password)
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    user_logout_everywhere(user=user)


def password_change(*, user: User, current_password: str, new_password: str) -> None:
    """Change the password of a logged-in user. ``ValidationError`` per field: ``current_password`` when it does
    not match (:class:`WrongPassword`), ``new_password`` with every password-validator message."""
    if not user.check_password(current_password):
        raise WrongPassword("current_password")
    password_set(user=user, new_password=new_password)
    logger.info("password_changed", user_id=str(user.pk))


def _reset_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )


def password_reset_request(*, email: str, base_url: str) -> bool:
    """E-mail a one-time password-reset link (valid ``PASSWORD_RESET_TIMEOUT`` seconds) to the account with this
    address, if there is an active one. Returns whether a message was sent (a failing mail server is logged as
    ``password_reset_mail_failed``, not raised); callers never tell the client, so the answer cannot be used to find
    out which addresses have accounts. ``base_url`` is the site's origin (``https://uaip.example.com``)."""
    user = User.objects.filter(email__iexact=normalize_email(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        logger.info("password_reset_requested", account_found=False)
        return False
    context = {
        "user": user,
        "reset_url": base_url.rstrip("/") + _reset_path(user),
        "valid_hours": max(1, round(settings.PASSWORD_RESET_TIMEOUT / 3600)),
    }
    subject = render_to_string("accounts/email/password_reset_subject.txt", context).strip()
    body = render_to_string("accounts/email/password_reset_body.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except (OSError, smtplib.SMTPException) as exc:
        # The caller's answer must not differ from the unknown-address one, so the failure is only logged.
        logger.error("password_reset_mail_failed", user_id=str(user.pk), error_type=type(exc).__name__)
        return False
    logger.info("password_reset_requested", account_found=True, user_id=str(user.pk))
    return True


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The active user a reset link (``uidb64``, ``token``) was made for, or ``None`` when it is invalid, used or
    expired."""
    try:
        user_id = urlsafe_base64_decode(uidb64).decode()
        user = User.objects.get(pk=user_id, is_active=True)
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, ValidationError, User.DoesNotExist):
        return None
    return user if default_token_generator.check_token(user, token) else None


def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    """Set a new password through a reset link. ``ValidationError``: ``token`` when the link is invalid, used or
    expired; ``new_password`` with the validators' messages. The link works once: the new password changes the
    token's hash."""
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        raise ValidationError({"token": [RESET_LINK_INVALID]})
    password_set(user=user, new_password=new_password)
    logger.info("password_reset_completed", user_id=str(user.pk))
    return user


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Delete the account after checking its password (``ValidationError`` on ``password`` otherwise), with the
    scoping sessions only it works on; a session it owns with a team passes to another member first
    (``owned_sessions_hand_over``), and other owners' sessions keep the answers it gave (authorship then reads
    "a former member"). :class:`WrongPassword` when the password does not match."""
    if not user.check_password(password):
        raise WrongPassword("password")
    owned_sessions_hand_over(user=user)
    tokens_revoke_all(user=user)
    user_id = str(user.pk)
    user.delete()
    logger.info("account_deleted", user_id=user_id)


def preferences_update(*, user: User, focus_mode: bool | None = None) -> User:
    """Change the user's interface preferences (only the ones given)."""
    if focus_mode is not None and focus_mode != user.focus_mode:
        user.focus_mode = focus_mode
        user.save(update_fields=["focus_mode", "updated_at"])
    return user
