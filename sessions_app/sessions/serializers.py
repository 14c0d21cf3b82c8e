"""The scoping-session API's output: one session, and a page of them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sessions_app.models import (
    DESCRIPTION_MAX,
    PROJECT_NAME_MAX,
    STAGE_COUNT,
    MemberRole,
    ScopingSession,
    SessionStatus,
)
from uaip.api import page_of


# A plain serializer with its fields written out (the schema is the ModelSerializer's it replaced): a
# ModelSerializer builds its fields from the model on every instance, a tenth of a session read (issue 16).
class SessionOutput(serializers.Serializer):
    session_id = serializers.UUIDField(source="id", read_only=True)
    user_id = serializers.UUIDField(source="owner_id", read_only=True)
    project_name = serializers.CharField(max_length=PROJECT_NAME_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX, required=False)
    status = serializers.ChoiceField(choices=SessionStatus.choices, required=False)
    current_stage = serializers.IntegerField(read_only=True, min_value=1, max_value=STAGE_COUNT)
    stages_completed = serializers.IntegerField(read_only=True, min_value=0, max_value=STAGE_COUNT)
    stages_needing_review = serializers.IntegerField(
        read_only=True,
        min_value=0,
        max_value=STAGE_COUNT,
        help_text="Stages whose gate passed before an earlier stage changed; they count in `progress_percent`.",
    )
    progress_percent = serializers.IntegerField(read_only=True, min_value=0, max_value=100)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    completed_at = serializers.DateTimeField(allow_null=True, required=False)
    approved_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the latest charter version got the reviewers' sign-offs its decision needs; null until "
        "then, and again once a new version is generated.",
    )
    role = serializers.ChoiceField(
        choices=MemberRole.choices,
        read_only=True,
        help_text="Your role in this session (owner, editor, reviewer, viewer).",
    )


_one_session = SessionOutput()


def session_output(session: ScopingSession) -> dict[str, Any]:
    """``SessionOutput(session).data`` without building the serializer's fields again for every session: one
    bound instance serves them all (its fields are read-only and keep no state between calls)."""
    return _one_session.to_representation(session)


SessionPage = page_of(SessionOutput, "SessionPage")
