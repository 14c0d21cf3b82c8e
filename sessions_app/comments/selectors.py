"""Reads of comments: the threads of a target (or of the session), and the unresolved counts the stage strip and
the charter page show."""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch, QuerySet

from sessions_app.models import Comment, CommentTarget, CommentThread, ScopingSession


def threads_list(
    *,
    session: ScopingSession,
    target_kind: str | None = None,
    target: str | None = None,
    unresolved_only: bool = False,
) -> QuerySet[CommentThread]:
    threads = CommentThread.objects.filter(session=session).select_related("created_by", "resolved_by")
    if target_kind:
        threads = threads.filter(target_kind=target_kind)
    if target:
        threads = threads.filter(target=target)
    if unresolved_only:
        threads = threads.filter(resolved_at=None)
    comments = Comment.objects.select_related("author").order_by("created_at", "id")
    return threads.prefetch_related(Prefetch("comments", queryset=comments)).order_by("created_at")


def unresolved_counts(*, session: ScopingSession) -> dict[str, int]:
    """Unresolved threads per place: ``stage:1``…``stage:5`` (answers of the stage), ``charter`` (its sections),
    and per target (``S1Q2``, ``S2Q1#1``, ``executive_summary``)."""
    counts: Counter[str] = Counter()
    rows = CommentThread.objects.filter(session=session, resolved_at=None).values_list("target_kind", "target")
    for kind, target in rows:
        counts[target] += 1
        counts[f"stage:{target[1]}" if kind == CommentTarget.ANSWER else "charter"] += 1
    return dict(counts)
