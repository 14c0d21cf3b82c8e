"""The scoping-session API's output: one session, and a page of them."""

from __future__ import annotations

from rest_framework import serializers

from sessions_app.models import STAGE_COUNT, ScopingSession
from uaip.api import page_of


class SessionOutput(serializers.ModelSerializer):
    session_id = serializers.UUIDField(source="id", read_only=True)
    user_id = serializers.UUIDField(source="owner_id", read_only=True)
    current_stage = serializers.IntegerField(read_only=True, min_value=1, max_value=STAGE_COUNT)
    progress_percent = serializers.IntegerField(read_only=True, min_value=0, max_value=100)
    stages_completed = serializers.IntegerField(read_only=True, min_value=0, max_value=STAGE_COUNT)
    stages_needing_review = serializers.IntegerField(
        read_only=True,
        min_value=0,
        max_value=STAGE_COUNT,
        help_text="Stages whose gate passed before an earlier stage changed; they count in `progress_percent`.",
    )

    class Meta:
        model = ScopingSession
        fields = [
            "session_id",
            "user_id",
            "project_name",
            "description",
            "status",
            "current_stage",
            "stages_completed",
            "stages_needing_review",
            "progress_percent",
            "created_at",
            "updated_at",
            "completed_at",
        ]


SessionPage = page_of(SessionOutput, "SessionPage")
