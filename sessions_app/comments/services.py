"""Writes of comments: start a thread on an answer or a charter section, reply, resolve, reopen.

Comments are plain text (no Markdown), stored as typed and escaped wherever shown. A reply to a resolved thread
reopens it. Each write is in the activity log.
"""

from __future__ import annotations

import re
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import ActingUser
from sessions_app.activity.services import activity_record
from sessions_app.charter.content import SECTION_TITLES
from sessions_app.interview.question_bank import QuestionNotFound
from sessions_app.interview.question_bank import question as bank_question
from sessions_app.interview.question_bank import stage as stage_definition
from sessions_app.interview.rules import MAX_REPEAT_ITEMS
from sessions_app.models import COMMENT_MAX, ActivityKind, Comment, CommentTarget, CommentThread, ScopingSession

_ANSWER_TARGET = re.compile(r"(S[1-5]Q\d{1,2})(?:#(\d{1,2}))?")


def target_checked(target_kind: str, target: str) -> tuple[str, str]:
    """A comment's target in its one spelling: ``S2Q3`` / ``S2Q3#1`` (an item of a repeatable group) for an
    answer, a section key of the charter (``executive_summary``…) for a section."""
    target = (target or "").strip()
    if target_kind == CommentTarget.ANSWER:
        match = _ANSWER_TARGET.fullmatch(target)
        try:
            q = bank_question(match.group(1)) if match else None
        except (QuestionNotFound, KeyError, ValueError):
            q = None
        if q is None:
            raise ValidationError({"target": [f"{target[:20]!r} is not a question; use an id such as S1Q1 or S2Q3#1."]})
        item = int(match.group(2) or 0) if match else 0
        if item >= MAX_REPEAT_ITEMS or (item and not stage_definition(q.stage).group(q.group).repeatable):
            raise ValidationError({"target": [f"Question {q.id} has no item #{item + 1}."]})
        return target_kind, q.id if item == 0 else f"{q.id}#{item}"
    if target_kind == CommentTarget.CHARTER_SECTION:
        if target not in SECTION_TITLES:
            raise ValidationError({"target": [f"The charter has no section {target[:40]!r}."]})
        return target_kind, target
    raise ValidationError({"target_kind": [f"Use one of: {', '.join(CommentTarget.values)}."]})


def _body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": ["Write a comment first."]})
    if len(text) > COMMENT_MAX:
        raise ValidationError({"body": [f"Keep a comment to {COMMENT_MAX} characters or fewer."]})
    return text


def _where(thread: CommentThread) -> str:
    if thread.target_kind == CommentTarget.ANSWER:
        question_id, _, item = thread.target.partition("#")
        return f"the answer to {question_id}{f' #{int(item) + 1}' if item else ''}"
    return f"the charter section “{SECTION_TITLES.get(thread.target, thread.target)}”"


@transaction.atomic
def thread_start(
    *, session: ScopingSession, actor: ActingUser, target_kind: str, target: str, body: str
) -> CommentThread:
    target_kind, target = target_checked(target_kind, target)
    text = _body(body)
    thread = CommentThread.objects.create(
        session=session, target_kind=target_kind, target=target, created_by_id=actor.pk
    )
    comment = Comment.objects.create(thread=thread, author_id=actor.pk, body=text)
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.COMMENTED,
        summary=f"Commented on {_where(thread)}",
        detail={"thread_id": str(thread.id), "comment_id": comment.pk, "target_kind": target_kind, "target": target},
    )
    return thread


def _thread(session: ScopingSession, thread_id: uuid.UUID | str) -> CommentThread:
    thread = CommentThread.objects.select_for_update().filter(session=session, pk=thread_id).first()
    if thread is None:
        raise Http404("There is no such comment thread in this session.")
    return thread


@transaction.atomic
def comment_reply(*, session: ScopingSession, actor: ActingUser, thread_id: uuid.UUID | str, body: str) -> Comment:
    """Reply in a thread; a resolved thread opens again."""
    thread = _thread(session, thread_id)
    comment = Comment.objects.create(thread=thread, author_id=actor.pk, body=_body(body))
    reopened = thread.resolved_at is not None
    if reopened:
        thread.resolved_at, thread.resolved_by = None, None
        thread.save(update_fields=["resolved_at", "resolved_by"])
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.COMMENTED,
        summary=f"Replied on {_where(thread)}" + (" (reopened)" if reopened else ""),
        detail={"thread_id": str(thread.id), "comment_id": comment.pk, "reopened": reopened},
    )
    return comment


def thread_resolve(*, session: ScopingSession, actor: ActingUser, thread_id: uuid.UUID | str) -> CommentThread:
    return _thread_state(session, actor, thread_id, resolved=True)


def thread_reopen(*, session: ScopingSession, actor: ActingUser, thread_id: uuid.UUID | str) -> CommentThread:
    return _thread_state(session, actor, thread_id, resolved=False)


@transaction.atomic
def _thread_state(
    session: ScopingSession, actor: ActingUser, thread_id: uuid.UUID | str, *, resolved: bool
) -> CommentThread:
    """Resolve or reopen a thread; asking for the state it is in already changes nothing (and logs nothing)."""
    thread = _thread(session, thread_id)
    if (thread.resolved_at is not None) == resolved:
        return thread
    thread.resolved_at, thread.resolved_by_id = (timezone.now(), actor.pk) if resolved else (None, None)
    thread.save(update_fields=["resolved_at", "resolved_by"])
    activity_record(
        session=session,
        actor=actor,
        kind=ActivityKind.THREAD_RESOLVED if resolved else ActivityKind.THREAD_REOPENED,
        summary=f"{'Resolved' if resolved else 'Reopened'} the discussion of {_where(thread)}",
        detail={"thread_id": str(thread.id)},
    )
    return thread
