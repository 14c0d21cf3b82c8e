"""Comment pages (htmx partials): the threads of one answer or charter section with the forms to start a thread,
reply, resolve and reopen. Loaded when the reader opens the "Comments" disclosure; a plain post redirects back."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from sessions_app.access import session_page
from sessions_app.charter.content import SECTION_TITLES
from sessions_app.comments import selectors, services
from sessions_app.interview.completion import anchor_of
from sessions_app.interview.question_bank import question as bank_question
from sessions_app.models import CommentTarget, ScopingSession
from sessions_app.roles import Capability
from uaip.htmx import HtmxHttpRequest
from uaip.ratelimits import limit_writes

PANEL = "sessions_app/comments/panel.html"
PAGE = "sessions_app/comments/page.html"


def _panel(
    request: HtmxHttpRequest, session: ScopingSession, kind: str, target: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    threads = selectors.threads_list(session=session, target_kind=kind, target=target)
    context = {"session": session, "threads": threads, "target_kind": kind, "target": target, "error": error}
    return render(request, PANEL, context, status=status)


def _back(request: HtmxHttpRequest, session: ScopingSession) -> str:
    back = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("sessions:detail", kwargs={"session_id": session.id})


def _done(request: HtmxHttpRequest, session: ScopingSession, kind: str, target: str, error: str = "") -> HttpResponse:
    if request.htmx:
        return _panel(request, session, kind, target, error=error, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(_back(request, session))


def _target_place(session: ScopingSession, kind: str, target: str) -> tuple[str, str]:
    """What the comments are on, in words, and the link back to it (the answer's block, the charter section)."""
    if kind == CommentTarget.CHARTER_SECTION:
        url = reverse("charter:page", kwargs={"session_id": session.id})
        return f"the charter section “{SECTION_TITLES[target]}”", f"{url}#{target.replace('_', '-')}"
    question_id, _, item = target.partition("#")
    q = bank_question(question_id)
    url = reverse("sessions:stage", args=[session.id, q.stage])
    number = f" (#{int(item) + 1})" if item else ""
    return f"the answer to “{q.text}”{number}", f"{url}#{anchor_of(question_id, int(item or 0))}"


@session_page
@require_GET
def panel(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    """The threads of one target: the panel alone for htmx, a page of its own without JavaScript."""
    kind = request.GET.get("target_kind", CommentTarget.ANSWER)
    try:
        kind, target = services.target_checked(kind, request.GET.get("target", ""))
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if request.htmx:
            return render(request, PANEL, {"session": session, "error": error, "unknown_target": True}, status=400)
        back = reverse("sessions:detail", kwargs={"session_id": session.id})
        return render(request, "errors/400.html", {"message": error, "back": back}, status=400)
    if request.htmx:
        return _panel(request, session, kind, target)
    place, back = _target_place(session, kind, target)
    threads = selectors.threads_list(session=session, target_kind=kind, target=target)
    context = {"session": session, "threads": threads, "target_kind": kind, "target": target, "place": place}
    return render(request, PAGE, {**context, "back": back})


@session_page(POST=Capability.COMMENT)
@require_POST
@limit_writes("session_write")
def thread_start(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    kind, target = request.POST.get("target_kind", ""), request.POST.get("target", "")
    try:
        thread = services.thread_start(
            session=session, actor=request.user, target_kind=kind, target=target, body=request.POST.get("body", "")
        )
    except ValidationError as exc:
        return _done(request, session, kind, target, error=" ".join(exc.messages))
    return _done(request, session, thread.target_kind, thread.target)


@session_page(POST=Capability.COMMENT)
@require_POST
@limit_writes("session_write")
def thread_reply(request: HtmxHttpRequest, session: ScopingSession, thread_id: str) -> HttpResponse:
    return _thread_change(request, session, thread_id, "reply")


@session_page(POST=Capability.COMMENT)
@require_POST
def thread_resolve(request: HtmxHttpRequest, session: ScopingSession, thread_id: str) -> HttpResponse:
    return _thread_change(request, session, thread_id, "resolve")


@session_page(POST=Capability.COMMENT)
@require_POST
def thread_reopen(request: HtmxHttpRequest, session: ScopingSession, thread_id: str) -> HttpResponse:
    return _thread_change(request, session, thread_id, "reopen")


def _thread_change(request: HtmxHttpRequest, session: ScopingSession, thread_id: str, action: str) -> HttpResponse:
    key = _uuid_or_none(thread_id)
    thread = selectors.threads_list(session=session).filter(pk=key).first() if key else None
    if thread is None:
        return HttpResponse("There is no such comment thread in this session.", status=404, content_type="text/plain")
    try:
        if action == "reply":
            services.comment_reply(
                session=session, actor=request.user, thread_id=thread.pk, body=request.POST.get("body", "")
            )
        elif action == "resolve":
            services.thread_resolve(session=session, actor=request.user, thread_id=thread.pk)
        else:
            services.thread_reopen(session=session, actor=request.user, thread_id=thread.pk)
    except ValidationError as exc:
        return _done(request, session, thread.target_kind, thread.target, error=" ".join(exc.messages))
    return _done(request, session, thread.target_kind, thread.target)


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
