"""Interview pages: the stage page, answers, background-check progress, the gate, concerns and checkpoints.

Thin views: parse the form → call the interview services (or the run services) → render what ``presenter``
builds. HTMX requests get the question block (or the gate panel) back; plain form posts redirect back to the
question's anchor, so every page works without JavaScript. While an answer is being checked its block polls the
run-status partial every second; when the run has ended that partial answers with the updated block
(``HX-Retarget`` to the block), which removes the polling element and so stops the polling.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling, reswap, retarget

from sessions_app.access import session_page
from sessions_app.errors import InterviewConflict, RunInProgress
from sessions_app.interview import selectors, services
from sessions_app.interview.presenter import (
    DECISION_STAGE,
    QuestionBlock,
    find_block,
    form_values,
    gate_view,
    page_context,
    read_stage,
    stage_preview,
)
from sessions_app.interview.question_bank import Question, QuestionNotFound, QuestionType
from sessions_app.interview.question_bank import question as bank_question
from sessions_app.interview.question_bank import stage as stage_definition
from sessions_app.interview.registry import REGISTRY
from sessions_app.interview.serializers import answer_json
from sessions_app.models import ScopingSession, StageRun
from sessions_app.runs import services as runs
from sessions_app.runs.selectors import run_get
from sessions_app.runs.serializers import run_json
from uaip.htmx import HtmxHttpRequest
from uaip.ratelimits import RateLimitExceeded, limit_writes

WRITE_LIMIT = "answer_submit"

STAGE_PAGE = "sessions_app/stage.html"
QUESTION_BLOCK = "sessions_app/partials/interview_question.html"
RUN_PROGRESS = "sessions_app/partials/interview_run.html"
GATE_PANEL = "sessions_app/partials/interview_gate.html"
DECISION_PREVIEW = "sessions_app/partials/decision_preview.html"
CONCERN_ITEM = "sessions_app/partials/interview_gate.html#concern"
RESTORE_PAGE = "sessions_app/stage_restore.html"


def _posted_values(post: QueryDict) -> dict[str, str]:
    return {name: post.get(name, "") for name in ("answer", "value", "unit", "note", "detail")}


def _raw_answer(q: Question, post: QueryDict) -> object:
    """The form's fields as one of the raw answer forms ``answer_types`` accepts."""
    if q.type in (QuestionType.TEXT, QuestionType.LIST) or (q.type is QuestionType.NUMBER and q.per_item_of):
        return post.get("answer", "")
    value = post.get("value", "").strip()
    extras: dict[str, str] = {}
    if q.type is QuestionType.NUMBER and (q.unit_choices or q.free_unit):
        extras["unit"] = post.get("unit", "").strip()
    elif q.type is QuestionType.SCALE:
        extras["note"] = post.get("note", "").strip()
    elif q.type is QuestionType.CHOICE and q.detail is not None:
        extras["detail"] = post.get("detail", "").strip()
    extras = {name: text for name, text in extras.items() if text}
    return {"value": value, **extras} if value and extras else value


def _extra_items(request: HtmxHttpRequest) -> dict[str, int]:
    """``?items-<group>=N``: show N items of a repeatable group (the "add another" link)."""
    return {key.removeprefix("items-"): _int(value) for key, value in request.GET.items() if key.startswith("items-")}


def _int(value: object, default: int = 0) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


def _stage_url(session: ScopingSession, stage_number: int, anchor: str = "") -> str:
    url = reverse("sessions:stage", args=[session.id, stage_number])
    return f"{url}#{anchor}" if anchor else url


def _render_block(
    request: HtmxHttpRequest, session: ScopingSession, block: QuestionBlock, *, status: int = 200, announce: str = ""
) -> HttpResponse:
    response = render(request, QUESTION_BLOCK, {"session": session, "b": block, "announce": announce}, status=status)
    if block.stage == DECISION_STAGE and status == 200:
        # The decision preview follows every saved answer of stage 5 (an out-of-band swap of its panel).
        preview = stage_preview(selectors.current_answer_set(session), block.stage)
        response.write(render_to_string(DECISION_PREVIEW, {"preview": preview, "oob": True}, request=request))
    return response


def _messages_for_errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [message for messages_ in exc.message_dict.values() for message in messages_]
    return list(exc.messages)


def limit_interview_writes(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``limit_writes("answer_submit")``; over the limit the view is called again with ``over_limit`` set, so it
    can show the notice where the user is looking (the question block) instead of the page-wide message area."""
    limited = limit_writes(WRITE_LIMIT)(view)

    @functools.wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return limited(request, *args, **kwargs)
        except RateLimitExceeded as exc:
            return view(request, *args, over_limit=exc, **kwargs)

    return wrapped


def _busy_message(retry_after: int, *, saved: bool) -> str:
    kept = "Your answer is saved" if saved else "Your answer was not saved yet; it is still in the form"
    return f"Another answer is still being checked. {kept}: wait about {retry_after} s, then press the button again."


def _rate_message(retry_after: int) -> str:
    return (
        f"You have sent many answers in a short time. Nothing was lost: your text is still in the form. "
        f"Please wait {retry_after} s and save again."
    )


# --- The stage page -------------------------------------------------------------------------------------------


@session_page
@require_GET
def stage_page(request: HtmxHttpRequest, session: ScopingSession, stage_number: int) -> HttpResponse:
    context = page_context(session, selectors.stage_number_or_404(stage_number), extra_items=_extra_items(request))
    return render(request, STAGE_PAGE, context)


# --- Answers --------------------------------------------------------------------------------------------------


@session_page
@require_POST
@limit_interview_writes
def answer_submit(
    request: HtmxHttpRequest, session: ScopingSession, stage_number: int, over_limit: RateLimitExceeded | None = None
) -> HttpResponse:
    stage_number = selectors.stage_number_or_404(stage_number)
    question_id, item = request.POST.get("question_id", "").strip(), _int(request.POST.get("item", "0"), -1)
    try:
        q = bank_question(question_id)
    except (QuestionNotFound, KeyError, ValueError):
        q = None
    if q is None or q.stage != stage_number:
        return HttpResponse(
            f"There is no question {question_id[:20]!r} in stage {stage_number}.",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    notice, errors, status, retry_after = "", [], 200, None
    if over_limit is not None:
        notice, status, retry_after = _rate_message(over_limit.retry_after), 429, over_limit.retry_after
    else:
        try:
            submitted = services.answer_submit(
                session=session,
                stage_number=stage_number,
                question_id=q.id,
                answer=_raw_answer(q, request.POST),
                item=item,
            )
        except ValidationError as exc:
            errors, status = _messages_for_errors(exc), 400
        except RunInProgress as exc:
            notice, status, retry_after = _busy_message(exc.retry_after, saved=False), 429, exc.retry_after
        except InterviewConflict as exc:
            return _conflict_redirect(request, session, exc)
        else:
            return _after_submit(request, session, q, submitted)
    # Not saved: show the message beside the field, with what the user typed still in the form.
    reads = read_stage(session, stage_number)
    block = find_block(reads, q.id, max(item, 0))
    block.form, block.errors, block.notice = _posted_values(request.POST), errors, notice
    if request.htmx:
        response = _render_block(request, session, block, status=status)
    else:
        context = page_context(session, stage_number, extra_items=_extra_items(request), replace=block)
        response = render(request, STAGE_PAGE, context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _after_submit(request: HtmxHttpRequest, session: ScopingSession, q: Question, submitted: Any) -> HttpResponse:
    reads = read_stage(session, q.stage)
    block = find_block(reads, q.id, submitted.answer.item)
    if submitted.run is not None:
        # Show the run as the service returned it: just queued. The poll reads its real state a second later.
        block.answer = answer_json(submitted.answer)
        block.run = run_json(submitted.run)
        block.form = form_values(q, submitted.answer.value)
    if request.htmx:
        announce = f"{q.id} saved; checking it now." if submitted.run else f"{q.id} saved: {block.status_label}."
        return _render_block(request, session, block, announce=announce)
    if submitted.run is not None:
        messages.info(request, f"Saved your answer to {q.id}. It is being checked.")
    else:
        messages.success(request, f"Saved your answer to {q.id}.")
    return redirect(_stage_url(session, q.stage, block.anchor))


def _conflict_redirect(request: HtmxHttpRequest, session: ScopingSession, exc: InterviewConflict) -> HttpResponse:
    """The page was out of date (say, an earlier stage was re-opened): go to the stage that is open now."""
    session.refresh_from_db()
    messages.warning(request, exc.message)
    url = _stage_url(session, session.current_stage)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- Background runs ------------------------------------------------------------------------------------------


def _run_block(
    request: HtmxHttpRequest,
    session: ScopingSession,
    run: StageRun,
    *,
    notice: str = "",
    status: int = 200,
    announce: bool = False,
    show_run: StageRun | None = None,
) -> HttpResponse:
    """The question block of the run's answer, targeted at that block (whatever element asked)."""
    answer = run.answer
    if answer is None or run.stage is None:
        return HttpResponseStopPolling(run.get_status_display())
    reads = read_stage(session, run.stage)
    block = find_block(reads, answer.question_id, answer.item)
    if show_run is not None:
        block.run = run_json(show_run)
    block.notice = notice
    text = f"{block.question.id}: {block.status_label}." if announce else ""
    if text and block.feedback and block.feedback.get("score") is not None:
        text = f"{block.question.id}: {block.status_label}, score {block.feedback['score']} of 10."
    response = _render_block(request, session, block, status=status, announce=text)
    return reswap(retarget(response, f"#{block.anchor}"), "outerHTML")


def _run_anchor(run: StageRun) -> str:
    if run.answer is None:
        return ""
    return run.answer.question_id if not run.answer.item else f"{run.answer.question_id}-{run.answer.item}"


@session_page
@require_GET
def run_status(request: HtmxHttpRequest, session: ScopingSession, run_id: str) -> HttpResponse:
    run = run_get(user=request.user, run_id=run_id, session=session)
    if not request.htmx:
        return redirect(_stage_url(session, run.stage or session.current_stage, _run_anchor(run)))
    if run.is_active:
        return render(request, RUN_PROGRESS, {"session": session, "run": run_json(run), "anchor": _run_anchor(run)})
    return _run_block(request, session, run, announce=True)


@session_page
@require_POST
def run_cancel(request: HtmxHttpRequest, session: ScopingSession, run_id: str) -> HttpResponse:
    run = run_get(user=request.user, run_id=run_id, session=session)
    run = runs.run_cancel(run=run)
    if request.htmx:
        return _run_block(request, session, run, announce=True)
    messages.info(request, "Stopped the check. Your answer is saved; press Retry to check it.")
    return redirect(_stage_url(session, run.stage or session.current_stage, _run_anchor(run)))


@session_page
@require_POST
@limit_interview_writes
def run_retry(
    request: HtmxHttpRequest, session: ScopingSession, run_id: str, over_limit: RateLimitExceeded | None = None
) -> HttpResponse:
    run = run_get(user=request.user, run_id=run_id, session=session)
    notice, retry_after, new_run = "", None, None
    if over_limit is not None:
        notice, retry_after = _rate_message(over_limit.retry_after), over_limit.retry_after
    else:
        try:
            new_run = runs.run_retry(run=run)
        except RunInProgress as exc:
            notice, retry_after = _busy_message(exc.retry_after, saved=True), exc.retry_after
        except InterviewConflict as exc:
            notice = exc.message
    if request.htmx:
        status = 429 if retry_after is not None else 200
        response = _run_block(request, session, run, notice=notice, status=status, show_run=new_run)
    else:
        if notice:
            messages.warning(request, notice)
        else:
            messages.info(request, "Checking your answer again.")
        response = redirect(_stage_url(session, run.stage or session.current_stage, _run_anchor(run)))
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --- The gate -------------------------------------------------------------------------------------------------


@session_page
@require_POST
@limit_writes(WRITE_LIMIT)
def stage_complete(request: HtmxHttpRequest, session: ScopingSession, stage_number: int) -> HttpResponse:
    stage_number = selectors.stage_number_or_404(stage_number)
    try:
        services.stage_complete(session=session, stage_number=stage_number)
    except InterviewConflict as exc:
        gate = exc.details.get("gate") if exc.code == "gate_failed" else None
        notice = "" if gate is not None else exc.message
        if request.htmx:
            # htmx swaps only 2xx, 400 and 429 (base.html): the panel that explains the 409 goes out as 200.
            context = {
                "session": session,
                "stage_number": stage_number,
                "gate_notice": notice,
                "gate": gate_view(gate, selectors.acknowledgement_reasons(session, stage_number), fresh=True),
                "preview": stage_preview(selectors.current_answer_set(session), stage_number),
            }
            return render(request, GATE_PANEL, context)
        context = page_context(session, stage_number, extra_items=_extra_items(request), gate=gate, gate_notice=notice)
        return render(request, STAGE_PAGE, context, status=409)
    session.refresh_from_db()
    if stage_number < REGISTRY.numbers[-1]:
        messages.success(
            request, f"Stage {stage_number} is complete and a checkpoint was saved. On to stage {stage_number + 1}."
        )
        url = _stage_url(session, stage_number + 1)
    else:
        messages.success(request, "Stage 5 is complete and a checkpoint was saved. Generate the charter when ready.")
        url = reverse("charter:page", args=[session.id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@session_page
@require_POST
@limit_writes(WRITE_LIMIT)
def concern_acknowledge(request: HtmxHttpRequest, session: ScopingSession, stage_number: int, key: str) -> HttpResponse:
    stage_number = selectors.stage_number_or_404(stage_number)
    reason = request.POST.get("reason", "")
    concern = {"key": key, "message": request.POST.get("message", ""), "acknowledged": False, "reason": reason}
    try:
        ack = services.concern_acknowledge(session=session, stage_number=stage_number, key=key, reason=reason)
    except ValidationError as exc:
        errors, status = _messages_for_errors(exc), 400
    else:
        concern.update(message=ack.message, acknowledged=True, reason=ack.reason)
        errors, status = [], 200
    if request.htmx:
        context = {"session": session, "stage_number": stage_number, "concern": concern, "errors": errors}
        return render(request, CONCERN_ITEM, context, status=status)
    if errors:
        for error in errors:
            messages.error(request, error)
    else:
        messages.success(request, "Concern acknowledged. Press “Complete stage” again when you are ready.")
    return redirect(_stage_url(session, stage_number, "gate-panel"))


# --- Checkpoints ----------------------------------------------------------------------------------------------


@session_page
@require_http_methods(["GET", "POST"])
@limit_writes(WRITE_LIMIT)
def checkpoint_restore(
    request: HtmxHttpRequest, session: ScopingSession, stage_number: int, checkpoint_id: str
) -> HttpResponse:
    stage_number = selectors.stage_number_or_404(stage_number)
    checkpoint = selectors.checkpoint_get(session, checkpoint_id, stage_number=stage_number)
    if request.method == "GET":
        return render(
            request,
            RESTORE_PAGE,
            {
                "session": session,
                "stage_number": stage_number,
                "definition": stage_definition(stage_number),
                "checkpoint": checkpoint,
                "answer_count": len(checkpoint.data.get("answers", {})),
            },
        )
    services.checkpoint_restore(session=session, checkpoint=checkpoint)
    messages.success(
        request, f"Restored stage {stage_number} to the checkpoint of {checkpoint.created_at:%d %b %Y, %H:%M}."
    )
    url = _stage_url(session, stage_number)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
