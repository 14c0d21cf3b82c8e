"""Account actions shared by the web pages and the API."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import User, normalize_email


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
