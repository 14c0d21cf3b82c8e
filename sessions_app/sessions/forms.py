from django import forms

from sessions_app.models import DESCRIPTION_MAX, PROJECT_NAME_MAX


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


class RenameForm(forms.Form):
    project_name = forms.CharField(label="Project name", max_length=PROJECT_NAME_MAX)
