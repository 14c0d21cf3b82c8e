from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac


def normalize_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively: store and look them up lower-cased."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """A UAIP user. Logs in with their e-mail address; exposed in the API as ``user_id``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin site.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by a password change or reset and by "log out everywhere" (accounts.services). It is folded into the
    # session auth hash and carried in every JWT as the `epoch` claim: a web session or token minted before the
    # last raise no longer authenticates (accounts.authentication).
    session_epoch = models.PositiveIntegerField(
        default=0, help_text="Raised to log the user out everywhere: older sessions and tokens stop working."
    )
    # The stage page shows one question at a time (static/js/focus-mode.js); switched on the stage page or with
    # PATCH /api/v1/me/preferences.
    focus_mode = models.BooleanField(default=False, help_text="Show the interview one question at a time.")

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    # The name is optional everywhere, so `createsuperuser --noinput` needs only DJANGO_SUPERUSER_EMAIL and
    # DJANGO_SUPERUSER_PASSWORD.
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's HMAC of the password hash, with the session epoch folded in once it has been raised (epoch 0
        keeps Django's own value, so sessions made before the epoch existed stay logged in)."""
        material = self.password if not self.session_epoch else f"{self.password}|epoch:{self.session_epoch}"
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(key_salt, material, secret=secret, algorithm="sha256").hexdigest()


IDEMPOTENCY_KEY_MAX = 255


class IdempotencyRecord(models.Model):
    """The first response to an API POST sent with an ``Idempotency-Key`` header, per user and key
    (uaip/idempotency.py). ``response_status`` is null while that first request is still being handled."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=IDEMPOTENCY_KEY_MAX)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    # The JSON text as first sent (a JSONField would reorder its keys on PostgreSQL; a replay is byte for byte).
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]
        indexes = [models.Index(fields=["expires_at"], name="idempotency_expires_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


# ``request.user`` as Django and DRF type it. The anonymous user owns nothing, so a scoped read finds nothing.
type ActingUser = User | AnonymousUser
