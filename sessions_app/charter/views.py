"""Charter pages: generate (with live progress), read, versions, downloads, approval, consistency findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from sessions_app.access import session_page
from sessions_app.charter import selectors, services
from sessions_app.charter.content import SECTION_TITLES
from sessions_app.charter.outline import charter_outline, question_ref
from sessions_app.charter.rendering import to_html
from sessions_app.charter.serializers import charter_download
from sessions_app.comments.selectors import unresolved_counts
from sessions_app.errors import InterviewConflict, RunInProgress
from sessions_app.interview.governance import DECISION_LABELS
from sessions_app.models import Charter, RunKind, ScopingSession, StageRun
from sessions_app.roles import Capability
from sessions_app.runs import services as runs
from sessions_app.runs.selectors import run_get, run_latest
from sessions_app.runs.serializers import run_json
from uaip.htmx import HtmxHttpRequest
from uaip.ratelimits import limit_writes

CHARTER_RUN_KINDS = (RunKind.CHARTER, RunKind.CONSISTENCY)
# Generating, re-checking and retrying cost model tokens: they share one limit. Cancelling is never limited.
GENERATE_LIMIT = "charter_generate"


def _document_context(charter: Charter, appendix: bool = True) -> dict[str, Any]:
    content = selectors.charter_content(charter)
    sections = content["sections"]
    return {
        "content": content,
        "document": charter_outline(content, appendix=appendix),
        "appendix": appendix,
        "s": sections,
        "box": sections["ethical_review"]["decision_box"],
        "section_titles": SECTION_TITLES,
    }


def _answer_link(session: ScopingSession, key: str) -> dict[str, str]:
    """A question key ('S4Q20', 'S4Q20#1') as its question's words and a link to the answer on its stage page."""
    question_id, _, item = key.partition("#")
    ref = question_ref(key)
    stage = int(question_id[1]) if question_id[1:2].isdigit() else 1
    anchor = question_id if item in ("", "0") else f"{question_id}-{item}"
    url = reverse("sessions:stage", kwargs={"session_id": session.id, "stage_number": stage})
    return {"text": ref.text, "url": f"{url}#{anchor}", "stage": str(stage)}


def _page_context(
    session: ScopingSession, version: str | None = None, appendix: bool = True, user_id: Any = None
) -> dict[str, Any]:
    charter = None
    if session.charters.exists():
        charter = selectors.charter_get(session=session, version=version)
    _, findings = selectors.findings_view(session)
    findings = [{**f, "answers": [_answer_link(session, key) for key in f.get("questions") or ()]} for f in findings]
    run = run_latest(session=session, kinds=CHARTER_RUN_KINDS)
    return {
        "session": session,
        "charter": charter,
        "versions": selectors.charter_versions(session=session),
        "missing": selectors.missing_for_charter(session),
        "changed": [_answer_link(session, key) for key in selectors.changed_since(charter)] if charter else [],
        "findings": findings,
        "run": run_json(run) if run else None,
        "run_active": bool(run and run.is_active),
        "decision_labels": DECISION_LABELS,
        "signoff": (signoff := selectors.signoff_state(charter) if charter else None),
        "signed_by_me": bool(signoff and any(s.reviewer_id == user_id for s in signoff["signoffs"])),
        "comment_counts": unresolved_counts(session=session),
        "with_comments": True,
        **(_document_context(charter, appendix) if charter else {}),
    }


@session_page
@require_GET
def charter_page(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    appendix = selectors.parse_appendix(request.GET.get("appendix"))
    context = _page_context(session, request.GET.get("version"), appendix, user_id=request.user.pk)
    return render(request, "sessions_app/charter_page.html", context)


def _start_run(request: HtmxHttpRequest, session: ScopingSession, start: Callable[..., StageRun]) -> HttpResponse:
    """Start a charter or consistency run; htmx gets the progress partial, a plain post the page again."""
    try:
        run = start(session=session, actor=request.user)
    except InterviewConflict as exc:
        messages.error(request, exc.message)
    except RunInProgress as exc:
        messages.error(request, f"{exc} (about {exc.retry_after} s).")
    else:
        if request.htmx:
            context = {"session": session, "run": run_json(run), "run_active": True}
            return render(request, "sessions_app/charter_page.html#charter-run", context)
    return redirect("charter:page", session_id=session.id)


@session_page
@require_POST
@limit_writes(GENERATE_LIMIT)
def charter_generate(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    return _start_run(request, session, services.charter_generate)


@session_page
@require_POST
@limit_writes(GENERATE_LIMIT)
def consistency_check(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    return _start_run(request, session, services.consistency_start)


@session_page
@require_GET
def charter_run_status(request: HtmxHttpRequest, session: ScopingSession, run_id: str) -> HttpResponse:
    """Polled every second while the run is active; when it ends, the whole page reloads to show the outcome."""
    run = run_get(user=request.user, run_id=run_id, session=session)
    if not run.is_active:
        return HttpResponseClientRedirect(reverse("charter:page", kwargs={"session_id": session.id}))
    return render(
        request,
        "sessions_app/charter_page.html#charter-run",
        {"session": session, "run": run_json(run), "run_active": True},
    )


@session_page
@require_POST
def charter_run_cancel(request: HtmxHttpRequest, session: ScopingSession, run_id: str) -> HttpResponse:
    run = run_get(user=request.user, run_id=run_id, session=session)
    try:
        runs.run_cancel(run=run)
    except (InterviewConflict, RunInProgress) as exc:
        messages.error(request, str(exc))
    return redirect("charter:page", session_id=session.id)


@session_page
@require_POST
@limit_writes(GENERATE_LIMIT)
def charter_run_retry(request: HtmxHttpRequest, session: ScopingSession, run_id: str) -> HttpResponse:
    run = run_get(user=request.user, run_id=run_id, session=session)
    try:
        runs.run_retry(run=run, actor=request.user)
    except (InterviewConflict, RunInProgress) as exc:
        messages.error(request, str(exc))
    return redirect("charter:page", session_id=session.id)


@session_page
@require_POST
def finding_acknowledge(request: HtmxHttpRequest, session: ScopingSession, key: str) -> HttpResponse:
    try:
        services.finding_acknowledge(
            session=session, key=key, reason=request.POST.get("reason", ""), actor=request.user
        )
        messages.success(request, "Finding acknowledged. It will be listed in the charter's open issues.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("charter:page", kwargs={"session_id": session.id}) + "#consistency")


@session_page(POST=Capability.SIGN_OFF)
@require_POST
@limit_writes("session_write")
def charter_sign_off(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    charter = selectors.charter_get(session=session, version=request.POST.get("version"))
    try:
        services.charter_sign_off(
            charter=charter,
            actor=request.user,  # type: ignore[arg-type]  # session_page logs in first
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except InterviewConflict as exc:
        messages.error(request, exc.message)
    else:
        state = selectors.signoff_state(charter)
        done = " The version is approved." if state["approved"] else ""
        messages.success(request, f"Your sign-off of version {charter.version} is recorded.{done}")
    return redirect(reverse("charter:page", kwargs={"session_id": session.id}) + f"?version={charter.version}#signoffs")


@session_page
@require_GET
def charter_file(request: HtmxHttpRequest, session: ScopingSession, fmt: str) -> HttpResponse:
    charter = selectors.charter_get(session=session, version=request.GET.get("version"))
    appendix = selectors.parse_appendix(request.GET.get("appendix"))
    if fmt == "html":
        return HttpResponse(to_html(selectors.charter_content(charter), appendix=appendix))
    return charter_download(charter, fmt, appendix=appendix)
