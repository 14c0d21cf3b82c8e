"""Forms of the account page and the password-reset pages. They validate input; the services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

PASSWORD_HELP = "At least 10 characters; not a common or all-numeric password."


def _password_field(label: str, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def add_service_errors(form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """A service's per-field ``ValidationError`` shown on the form (``field_map``: service field → form field)."""
    mapping = field_map or {}
    for field, messages in exc.message_dict.items():
        target = mapping.get(field, field)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


class _NewPasswordForm(forms.Form):
    new_password = _password_field("New password", "new-password", PASSWORD_HELP)
    new_password_confirm = _password_field("New password again", "new-password")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("new_password") and cleaned.get("new_password") != cleaned.get("new_password_confirm"):
            self.add_error("new_password_confirm", "The two passwords differ.")
        return cleaned


class PasswordChangeForm(_NewPasswordForm):
    current_password = _password_field("Current password", "current-password")
    field_order = ["current_password", "new_password", "new_password_confirm"]


class SetPasswordForm(_NewPasswordForm):
    """The new password chosen through a reset link."""


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class AccountDeleteForm(forms.Form):
    password = _password_field("Your password", "current-password", "Type your password to confirm.")
