from django import forms

from sessions_app.models import DESCRIPTION_MAX, PROJECT_NAME_MAX
from uaip.idempotency import FORM_TOKEN_MAX, form_token


class SessionForm(forms.Form):
    project_name = forms.CharField(
        label="Project name",
        max_length=PROJECT_NAME_MAX,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Customer churn prediction"}),
    )
    description = forms.CharField(
        label="Description (optional)",
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What the team wants to find out"}),
    )
    # One-time token: a double click or a re-posting reload creates the session once (uaip/idempotency.py).
    submit_token = forms.CharField(
        required=False, max_length=FORM_TOKEN_MAX, widget=forms.HiddenInput, initial=form_token
    )


class RenameForm(forms.Form):
    project_name = forms.CharField(label="Project name", max_length=PROJECT_NAME_MAX)
