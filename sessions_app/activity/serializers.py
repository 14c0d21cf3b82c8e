"""The activity log's API output."""

from __future__ import annotations

from rest_framework import serializers

from sessions_app.models import ActivityKind
from uaip.api import page_of


class ActivityEntryOutput(serializers.Serializer):
    seq = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=ActivityKind.choices, read_only=True)
    summary = serializers.CharField(read_only=True)
    actor_id = serializers.UUIDField(read_only=True, allow_null=True)
    actor_email = serializers.CharField(read_only=True, help_text="As it was when the change was made.")
    detail = serializers.JSONField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    prev_hash = serializers.CharField(read_only=True)
    hash = serializers.CharField(read_only=True)


ActivityPage = page_of(ActivityEntryOutput, "ActivityPage")
