"""The comments API's output: a thread with its comments."""

from __future__ import annotations

from rest_framework import serializers

from sessions_app.interview.serializers import AuthorOutput
from sessions_app.models import CommentTarget, CommentThread


class CommentOutput(serializers.Serializer):
    comment_id = serializers.IntegerField(source="pk")
    author = AuthorOutput(allow_null=True)
    body = serializers.CharField(help_text="Plain text as written; escape it when showing it as HTML.")
    created_at = serializers.DateTimeField()


class ThreadOutput(serializers.Serializer):
    thread_id = serializers.UUIDField(source="id")
    target_kind = serializers.ChoiceField(choices=CommentTarget.choices)
    target = serializers.CharField(help_text="`S2Q3`, `S2Q3#1` (an item), or a charter section key.")
    resolved = serializers.SerializerMethodField()
    resolved_by = AuthorOutput(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    comments = CommentOutput(many=True, source="comments.all")

    def get_resolved(self, thread: CommentThread) -> bool:
        return thread.resolved_at is not None


class ThreadListOutput(serializers.Serializer):
    results = ThreadOutput(many=True, help_text="Oldest first.")
