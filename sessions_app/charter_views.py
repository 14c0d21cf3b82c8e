"""Charter pages: generate (with live progress), read, versions, downloads, approval, consistency findings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from sessions_app import charters, runs
from sessions_app.charter.content import SECTIONS
from sessions_app.charter.render import to_html
from sessions_app.charter_api import charter_download
from sessions_app.errors import InterviewConflict
from sessions_app.interview.selectors import run_json
from sessions_app.models import Charter, RunKind, ScopingSession, StageRun
from sessions_app.selectors import run_get, session_get
from uaip.htmx import HtmxHttpRequest
from uaip.ratelimits import enforce


def _latest_run(session: ScopingSession) -> StageRun | None:
    kinds = (RunKind.CHARTER, RunKind.CONSISTENCY)
    return StageRun.objects.filter(session=session, kind__in=kinds).order_by("-created_at").first()


def _document_context(charter: Charter) -> dict[str, Any]:
    sections = charter.content["sections"]
    return {
        "content": charter.content,
        "s": sections,
        "box": sections["ethical_review"]["decision_box"],
        "section_titles": dict(SECTIONS),
    }


def _page_context(session: ScopingSession, version: str | None = None) -> dict[str, Any]:
    charter = None
    if session.charters.exists():
        charter = charters.charter_get(session=session, version=version)
    review = charters.latest_review(session)
    acknowledged = charters.acknowledged_findings(session)
    run = _latest_run(session)
    return {
        "session": session,
        "charter": charter,
        "versions": charters.charter_versions(session=session),
        "missing": charters.missing_for_charter(session),
        "changed": charters.changed_since(charter) if charter else [],
        "findings": [
            {**f, "acknowledged": f["key"] in acknowledged, "reason": acknowledged.get(f["key"])}
            for f in (review.findings if review else [])
        ],
        "run": run_json(run) if run else None,
        "run_active": bool(run and run.is_active),
        **(_document_context(charter) if charter else {}),
    }


@login_required
@require_GET
def charter_page(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    return render(request, "sessions_app/charter_page.html", _page_context(session, request.GET.get("version")))


def _start_run(request: HtmxHttpRequest, session_id: str, start: Callable[..., StageRun]) -> HttpResponse:
    """Start a charter or consistency run; htmx gets the progress partial, a plain post the page again."""
    session = session_get(user=request.user, session_id=session_id)
    enforce(request, limit_name="charter_generate")
    try:
        run = start(session=session)
    except InterviewConflict as exc:
        messages.error(request, exc.message)
    except runs.RunInProgress as exc:
        messages.error(request, f"{exc} (about {exc.retry_after} s).")
    else:
        if request.htmx:
            context = {"session": session, "run": run_json(run), "run_active": True}
            return render(request, "sessions_app/charter_page.html#charter-run", context)
    return redirect("charter:page", session_id=session.id)


@login_required
@require_POST
def charter_generate(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return _start_run(request, session_id, charters.charter_generate)


@login_required
@require_POST
def consistency_check(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    return _start_run(request, session_id, charters.consistency_start)


@login_required
@require_GET
def charter_run_status(request: HtmxHttpRequest, session_id: str, run_id: str) -> HttpResponse:
    """Polled every second while the run is active; when it ends, the whole page reloads to show the outcome."""
    run = run_get(user=request.user, run_id=run_id)
    session = session_get(user=request.user, session_id=session_id)
    if run.session_id != session.pk:
        return HttpResponse(status=404)
    if not run.is_active:
        return HttpResponseClientRedirect(reverse("charter:page", kwargs={"session_id": session.id}))
    return render(
        request,
        "sessions_app/charter_page.html#charter-run",
        {"session": session, "run": run_json(run), "run_active": True},
    )


@login_required
@require_POST
def charter_run_action(request: HtmxHttpRequest, session_id: str, run_id: str, action: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    run = run_get(user=request.user, run_id=run_id)
    if run.session_id != session.pk:
        return HttpResponse(status=404)
    try:
        if action == "cancel":
            runs.run_cancel(run=run)
        else:
            enforce(request, limit_name="charter_generate")
            runs.run_retry(run=run)
    except (InterviewConflict, runs.RunInProgress) as exc:
        messages.error(request, str(exc))
    return redirect("charter:page", session_id=session.id)


@login_required
@require_POST
def finding_acknowledge(request: HtmxHttpRequest, session_id: str, key: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    try:
        charters.finding_acknowledge(session=session, key=key, reason=request.POST.get("reason", ""))
        messages.success(request, "Finding acknowledged. It will be listed in the charter's open issues.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("charter:page", kwargs={"session_id": session.id}) + "#consistency")


@login_required
@require_POST
def charter_approve(request: HtmxHttpRequest, session_id: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    charter = charters.charter_get(session=session, version=request.POST.get("version"))
    try:
        charters.charter_approve(
            charter=charter,
            approver_name=request.POST.get("approver_name", ""),
            approved_at=request.POST.get("approved_at") or None,
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, f"Approval recorded on version {charter.version}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("charter:page", kwargs={"session_id": session.id}) + f"?version={charter.version}")


@login_required
@require_GET
def charter_file(request: HtmxHttpRequest, session_id: str, fmt: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    charter = charters.charter_get(session=session, version=request.GET.get("version"))
    if fmt == "html":
        return HttpResponse(to_html(charter.content))
    return charter_download(charter, fmt)
