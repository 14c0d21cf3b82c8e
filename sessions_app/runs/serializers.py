"""How a run is shown: the API body of ``GET /runs/{id}`` and the progress partials read the same fields.

``run_json`` keeps date-times as ``datetime`` (``format=None``): the JSON renderer writes them in ISO 8601."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from sessions_app.models import RunKind, RunStatus, StageRun
from sessions_app.runs.selectors import run_estimate_seconds


class RunOutput(serializers.Serializer):
    run_id = serializers.UUIDField(source="pk")
    session_id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=RunKind.choices)
    stage = serializers.IntegerField(allow_null=True, help_text="The stage of an answer check; null otherwise.")
    answer_id = serializers.IntegerField(allow_null=True, help_text="The answer being checked; null otherwise.")
    status = serializers.ChoiceField(choices=RunStatus.choices)
    step = serializers.CharField(help_text="What the run is doing, for people.")
    partial_text = serializers.CharField(
        help_text="What the model has written so far (the charter's executive summary while it is written); "
        "empty otherwise."
    )
    elapsed_seconds = serializers.SerializerMethodField(help_text="Since it was queued (until it finished).")
    estimate_seconds = serializers.SerializerMethodField(
        help_text="How long such runs usually take, while this one is active; null otherwise or without history."
    )
    provider = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    input_tokens = serializers.IntegerField(min_value=0)
    output_tokens = serializers.IntegerField(min_value=0)
    cost_usd = serializers.CharField(help_text="A decimal number, as a string.")
    error = serializers.SerializerMethodField(help_text="Why it failed, and what to do.")
    result = serializers.JSONField(allow_null=True, help_text="What a finished run produced (its kind decides).")
    created_at = serializers.DateTimeField(format=None)
    finished_at = serializers.DateTimeField(allow_null=True, format=None)

    def get_elapsed_seconds(self, run: StageRun) -> float:
        end = run.finished_at or timezone.now()
        return round((end - run.created_at).total_seconds(), 1)

    def get_estimate_seconds(self, run: StageRun) -> int | None:
        return run_estimate_seconds(run.kind) if run.is_active else None

    def get_provider(self, run: StageRun) -> str | None:
        return run.provider or None

    def get_model(self, run: StageRun) -> str | None:
        return run.model or None

    def get_error(self, run: StageRun) -> str | None:
        return run.error or None


def run_json(run: StageRun) -> dict[str, Any]:
    """One run as the API and the progress partials show it."""
    return dict(RunOutput(run).data)
