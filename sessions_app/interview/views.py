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
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling, reswap, retarget

from sessions_app.access import session_page
from sessions_app.errors import InterviewConflict, RunInProgress
from sessions_app.interview import selectors, services
from sessions_app.interview.completion import next_unanswered as next_unanswered_of
from sessions_app.interview.presenter import (
    DECISION_STAGE,
    QuestionBlock,
    dependent_blocks,
    find_block,
    form_values,
    gate_panel,
    page_context,
    progress_strip,
    read_stage,
    recheck_summary,
    stage_preview,
)
from sessions_app.interview.question_bank import Question, QuestionNotFound, QuestionType
from sessions_app.interview.question_bank import question as bank_question
from sessions_app.interview.question_bank import stage as stage_definition
from sessions_app.interview.registry import REGISTRY
from sessions_app.interview.serializers import answer_json
from sessions_app.interview.team_view import team_view
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
PROGRESS_STRIP = "sessions_app/partials/interview_progress.html"
DECISION_PREVIEW = "sessions_app/partials/decision_preview.html"
CONCERN_ITEM = "sessions_app/partials/interview_gate.html#concern"
RESTORE_PAGE = "sessions_app/stage_restore.html"
HINTS = "sessions_app/partials/interview_hints.html"


def _posted_values(post: QueryDict) -> dict[str, str]:
    return {name: post.get(name, "") for name in ("answer", "value", "unit", "note", "detail", "version")}


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


def _version(value: object) -> int | None:
    """The answer a form was rendered with (``version``; 0 for none): absent or malformed, no check."""
    number = _int(value, -1)
    return number if number >= 0 else None


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
    if status == 200 and block.answer is not None:
        # Hints computed from this answer (S2Q7's metric names, S2Q14's margin) follow it at once (out of band).
        reads = read_stage(session, block.stage)
        for dependant in dependent_blocks(reads, block.question.id):
            response.write(render_to_string(HINTS, {"b": dependant, "oob": True}, request=request))
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
    context.update(team_view(session, request.user, context.get("groups") or [], mine=request.GET.get("mine") == "1"))
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
                actor=request.user,
                version=_version(request.POST.get("version")),
            )
        except ValidationError as exc:
            errors, status = _messages_for_errors(exc), 400
        except RunInProgress as exc:
            notice, status, retry_after = _busy_message(exc.retry_after, saved=False), 429, exc.retry_after
        except InterviewConflict as exc:
            if exc.code != "answer_changed":
                return _conflict_redirect(request, session, exc)
            overtaken = exc.details["current"]
            notice, status = _overtaken_notice(q, exc.message, overtaken), 409
        else:
            return _after_submit(request, session, q, submitted)
    # Not saved: show the message beside the field, with what the user typed still in the form.
    reads = read_stage(session, stage_number)
    block = find_block(reads, q.id, max(item, 0))
    block.form, block.errors, block.notice = _posted_values(request.POST), errors, notice
    if status == 409:
        # The other member's answer is now the one seen: saving again (deliberately) replaces it.
        block.form["version"] = str(block.answer["version"] if block.answer else 0)
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
    effect = submitted.effect
    if request.htmx:
        announce = f"{q.id} saved; checking it now." if submitted.run else f"{q.id} saved: {block.status_label}."
        response = _render_block(request, session, block, announce=announce)
        if effect is not None and effect.changes_anything:
            _write_stage_changes(request, response, session, q.stage)
        return response
    if submitted.run is not None:
        messages.info(request, f"Saved your answer to {q.id}. It is being checked.")
    else:
        messages.success(request, f"Saved your answer to {q.id}.")
    if effect is not None and effect.changes_anything:
        messages.info(request, _edit_done_message(effect))
    return redirect(_stage_url(session, q.stage, block.anchor))


def _edit_done_message(effect: selectors.EditEffect) -> str:
    said = [f"Stage {effect.stage} is re-opened: pass its gate again."] if effect.reopens else []
    if effect.needs_review:
        verb = "needs" if len(effect.needs_review) == 1 else "need"
        said.append(f"{selectors.stage_range_text(effect.needs_review).capitalize()} now {verb} review.")
    return " ".join(said)


def _write_stage_changes(
    request: HtmxHttpRequest, response: HttpResponse, session: ScopingSession, stage_number: int
) -> None:
    """A save that re-opened stages: the stage strip and the gate panel follow out of band, and the other
    questions' "Saving a change re-opens…" notices go (it has happened)."""
    strip = {"session": session, "progress": progress_strip(session, stage_number), "oob": True}
    response.write(render_to_string(PROGRESS_STRIP, strip, request=request))
    panel = {
        "session": session,
        **gate_panel(session, stage_number),
        "preview": stage_preview(selectors.current_answer_set(session), stage_number),
        "panel_oob": True,
    }
    response.write(render_to_string(GATE_PANEL, panel, request=request))
    response.write('<div hx-swap-oob="delete:.edit-notice"></div>')


def _overtaken_notice(q: Question, message: str, current: dict[str, Any]) -> str:
    """The refused save's message with the other member's answer in words; the user's own text stays in the form."""
    shown = form_values(q, current["value"])
    words = shown.get("answer") or " ".join(v for k, v in shown.items() if k in ("value", "unit", "note") and v)
    said = words if len(words) <= 600 else words[:599].rsplit(" ", 1)[0] + "…"
    return f"{message.rstrip()} Their answer: “{said}” Your text is still in the form."


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
            new_run = runs.run_retry(run=run, actor=request.user)
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
        services.stage_complete(session=session, stage_number=stage_number, actor=request.user)
    except InterviewConflict as exc:
        gate = exc.details.get("gate") if exc.code == "gate_failed" else None
        notice = "" if gate is not None else exc.message
        if request.htmx:
            # htmx swaps only 2xx, 400 and 429 (base.html): the panel that explains the 409 goes out as 200.
            return _gate_panel_response(request, session, stage_number, gate=gate, notice=notice, passed=False)
        context = page_context(session, stage_number, extra_items=_extra_items(request), gate=gate, gate_notice=notice)
        return render(request, STAGE_PAGE, context, status=409)
    session.refresh_from_db()
    # The result stays in place (checkpoint saved, acknowledged concerns) with "Continue to stage N+1": no jump.
    if not request.htmx:
        return redirect(_stage_url(session, stage_number, "gate-panel"))
    return _gate_panel_response(request, session, stage_number, gate=None, passed=True)


def _gate_panel_response(
    request: HtmxHttpRequest,
    session: ScopingSession,
    stage_number: int,
    *,
    gate: dict[str, Any] | None,
    passed: bool,
    notice: str = "",
) -> HttpResponse:
    """The gate panel (``gate``: a result that did not pass; ``None`` after a pass, read from the stored state),
    and after a pass the stage strip out of band."""
    context = {
        "session": session,
        **gate_panel(session, stage_number, gate=gate, gate_notice=notice, just_passed=passed),
        "preview": stage_preview(selectors.current_answer_set(session), stage_number),
    }
    response = render(request, GATE_PANEL, context)
    if passed:  # the strip changed
        strip = {"session": session, "progress": progress_strip(session, stage_number), "oob": True}
        response.write(render_to_string(PROGRESS_STRIP, strip, request=request))
    return response


@session_page
@require_POST
@limit_writes(WRITE_LIMIT)
def stages_recheck(request: HtmxHttpRequest, session: ScopingSession) -> HttpResponse:
    """ "Re-check stages": the gates of every stage that needs review, in order (``services.stages_recheck``)."""
    result = services.stages_recheck(session=session, actor=request.user)
    stopped = result.stopped_at
    if stopped is None:
        (messages.success if result.results else messages.info)(request, recheck_summary(result))
        url = reverse("sessions:detail", args=[session.id])
    else:
        messages.warning(request, recheck_summary(result))
        url = _stage_url(session, stopped.stage, "gate-panel")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@session_page
@require_POST
@limit_writes(WRITE_LIMIT)
def concern_acknowledge(request: HtmxHttpRequest, session: ScopingSession, stage_number: int, key: str) -> HttpResponse:
    stage_number = selectors.stage_number_or_404(stage_number)
    reason = request.POST.get("reason", "")
    concern = {"key": key, "message": request.POST.get("message", ""), "acknowledged": False, "reason": reason}
    try:
        ack = services.concern_acknowledge(
            session=session, stage_number=stage_number, key=key, reason=reason, actor=request.user
        )
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
    services.checkpoint_restore(session=session, checkpoint=checkpoint, actor=request.user)
    messages.success(
        request, f"Restored stage {stage_number} to the checkpoint of {checkpoint.created_at:%d %b %Y, %H:%M}."
    )
    url = _stage_url(session, stage_number)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- Less clicking: save a group at once, remove an item, jump to the next unanswered question ----------------


def _group_entries(post: QueryDict) -> list[tuple[Question, int, QueryDict]]:
    """``entry=S2Q1:1`` names an answer; its widget values come as ``S2Q1:1:answer``, ``S2Q1:1:value``…"""
    entries = []
    for entry in post.getlist("entry")[: services.MAX_GROUP_ANSWERS + 1]:
        question_id, _, item = entry.partition(":")
        try:
            q = bank_question(question_id)
        except (QuestionNotFound, KeyError, ValueError):
            continue
        values = QueryDict(mutable=True)
        for name in ("answer", "value", "unit", "note", "detail", "version"):
            values[name] = post.get(f"{entry}:{name}", "")
        entries.append((q, _int(item, -1), values))
    return entries


@session_page
@require_POST
@limit_interview_writes
def answers_group_submit(
    request: HtmxHttpRequest, session: ScopingSession, stage_number: int, over_limit: RateLimitExceeded | None = None
) -> HttpResponse:
    """The "Save group" button (static/js/autosave.js): every changed answer of a group in one request. Answers
    JSON with each answer's outcome and its question block to swap in; the script keeps what was typed meanwhile."""
    stage_number = selectors.stage_number_or_404(stage_number)
    if over_limit is not None:
        response = JsonResponse({"detail": _rate_message(over_limit.retry_after), "code": "rate_limited"}, status=429)
        response["Retry-After"] = str(over_limit.retry_after)
        return response
    entries = [(q, item, values) for q, item, values in _group_entries(request.POST) if q.stage == stage_number]
    try:
        results = services.answers_submit_group(
            session=session,
            stage_number=stage_number,
            answers=[
                services.GroupAnswer(q.id, item, _raw_answer(q, values), _version(values.get("version")))
                for q, item, values in entries
            ],
            actor=request.user,
        )
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(_messages_for_errors(exc)), "code": "invalid"}, status=400)
    except InterviewConflict as exc:
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=409)
    reads = read_stage(session, stage_number)
    posted = {(q.id, item): values for q, item, values in entries}
    body = []
    for result in results:
        block = find_block(reads, result.question_id, max(result.item, 0))
        if result.status in ("invalid", "queued"):
            block.form = _posted_values(posted[(result.question_id, result.item)])
            block.errors = list(result.errors)
            if result.status == "queued":
                block.notice = (
                    f"Not saved yet: another answer is being checked. It is sent again in about "
                    f"{result.retry_after} s; your text stays here."
                )
        html = render_to_string(QUESTION_BLOCK, {"session": session, "b": block}, request=request)
        body.append(
            {
                "anchor": block.anchor,
                "status": result.status,
                "errors": list(result.errors),
                "retry_after": result.retry_after,
                "html": html,
            }
        )
    return JsonResponse({"results": body})


@session_page
@require_POST
@limit_writes(WRITE_LIMIT)
def item_remove(
    request: HtmxHttpRequest, session: ScopingSession, stage_number: int, group_key: str, item: int
) -> HttpResponse:
    """Remove one item of a repeatable group (a plain form post; the page comes back without it)."""
    group_key = selectors.group_or_404(stage_number, group_key).key
    try:
        services.answer_item_remove(
            session=session, stage_number=stage_number, group_key=group_key, item=item, actor=request.user
        )
    except ValidationError as exc:
        for error in _messages_for_errors(exc):
            messages.error(request, error)
    except InterviewConflict as exc:
        messages.warning(request, exc.message)
    else:
        title = stage_definition(stage_number).group(group_key).title
        messages.success(request, f"Removed {title} #{item + 1}. Its answers stay in the session's history.")
    url = _stage_url(session, stage_number, f"group-{group_key}")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@session_page
@require_GET
def next_unanswered(request: HtmxHttpRequest, session: ScopingSession, stage_number: int) -> HttpResponse:
    """Go to the next unanswered required question: of this stage, else of the next stage you can reach; when
    everything is answered, to the gate that comes next."""
    stage_number = selectors.stage_number_or_404(stage_number)
    target = next_unanswered_of(
        selectors.current_answer_set(session),
        from_stage=stage_number,
        reachable_up_to=session.current_stage,
        stage_numbers=tuple(REGISTRY.numbers),
    )
    return redirect(_stage_url(session, target.stage, target.anchor))


# --- Example adapted to the project ---------------------------------------------------------------------------
ADAPTED_EXAMPLE = "sessions_app/partials/adapted_example.html"


@session_page
@require_POST
def adapted_example(
    request: HtmxHttpRequest, session: ScopingSession, stage_number: int, question_id: str
) -> HttpResponse:
    """The question's example for this project: cached, or written now (asked for when the examples are opened)."""
    from llm.errors import LLMUnavailable
    from sessions_app.interview import examples

    stage_number = selectors.stage_number_or_404(stage_number)
    try:
        q = bank_question(question_id)
    except QuestionNotFound:
        q = None
    if q is None or q.stage != stage_number:
        return HttpResponse(
            f"There is no question {question_id[:20]!r} in stage {stage_number}.",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    adapted, failure = None, ""
    try:
        adapted, _created = examples.adapted_example_generate(session=session, question=q)
    except LLMUnavailable:
        failure = "No example for your project could be written just now (no language model answered)."
    if request.htmx:
        return render(request, ADAPTED_EXAMPLE, {"adapted": adapted, "failure": failure})
    if adapted is not None:
        messages.info(request, f"Example for your project ({q.id}): {adapted.text}")
    else:
        messages.warning(request, failure)
    return redirect(_stage_url(session, stage_number, q.id))
