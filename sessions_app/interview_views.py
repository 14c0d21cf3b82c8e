"""Interview pages: the stage page, answers, background-check progress, the gate, concerns and checkpoints.

Thin views: parse the form → call the orchestrator, ``runs`` or the selectors → render. HTMX requests get the
question block (or the gate panel) back; plain form posts redirect back to the question's anchor, so every page
works without JavaScript. While an answer is being checked its block polls the run-status partial every second;
when the run has ended that partial answers with the updated block (``HX-Retarget`` to the block), which removes
the polling element and so stops the polling.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling, reswap, retarget

from sessions_app import runs
from sessions_app.errors import InterviewConflict
from sessions_app.interview import builders
from sessions_app.interview import selectors as interview
from sessions_app.interview.answers import AnswerSet
from sessions_app.interview.orchestrator import InterviewOrchestrator
from sessions_app.interview.quality import MAX_ATTEMPTS
from sessions_app.interview.state import MAX_REPEAT_ITEMS
from sessions_app.models import STAGE_COUNT, ScopingSession, StageRun, StageStatus
from sessions_app.question_bank import Question, QuestionNotFound, QuestionType
from sessions_app.question_bank import question as bank_question
from sessions_app.question_bank import stage as stage_definition
from sessions_app.selectors import run_get, session_get
from uaip.htmx import HtmxHttpRequest
from uaip.ratelimits import RateLimitExceeded, limit_writes

WRITE_LIMIT = "answer_submit"

STAGE_PAGE = "sessions_app/stage.html"
QUESTION_BLOCK = "sessions_app/partials/interview_question.html"
RUN_PROGRESS = "sessions_app/partials/interview_run.html"
GATE_PANEL = "sessions_app/partials/interview_gate.html"
CONCERN_ITEM = "sessions_app/partials/interview_gate.html#concern"
RESTORE_PAGE = "sessions_app/stage_restore.html"

STATUS_LABELS = {
    "unanswered": "Not answered yet",
    "checking": "Being checked",
    "accepted": "Accepted",
    "needs_followup": "Needs more detail",
    "escalated": f"Escalated: accepted after {MAX_ATTEMPTS} attempts",
    "check_failed": "Check failed",
    "cancelled": "Check cancelled",
    "unchecked": "Saved, not checked",
}
FINAL_STATUSES = ("accepted", "escalated")


# --- What the templates get -----------------------------------------------------------------------------------


@dataclass
class QuestionBlock:
    """One question (one item of a repeatable group) as the page shows it."""

    question: Question
    stage: int
    item: int
    answer: dict[str, Any] | None  # interview.answer_json of the current row
    run: dict[str, Any] | None  # interview.run_json of the current row's latest run
    form: dict[str, str]  # the widget values: answer, value, unit, note, detail
    applies: bool = True
    hints: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notice: str = ""

    @property
    def anchor(self) -> str:
        return self.question.id if self.item == 0 else f"{self.question.id}-{self.item}"

    @property
    def status(self) -> str:
        if self.answer is None:
            return "unanswered"
        if self.run_active:
            return "checking"
        status = self.answer["status"]
        if status == "pending":
            if self.run is None:
                return "unchecked"
            return "cancelled" if self.run["status"] == "cancelled" else "check_failed"
        return status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def run_active(self) -> bool:
        return self.run is not None and self.run["status"] in ("queued", "running")

    @property
    def can_retry(self) -> bool:
        return self.status in ("check_failed", "cancelled") and self.run is not None and not self.run_active

    @property
    def feedback(self) -> dict[str, Any] | None:
        if self.answer is None or self.status not in ("accepted", "needs_followup", "escalated"):
            return None
        return self.answer.get("feedback") or None

    max_attempts = MAX_ATTEMPTS

    @property
    def low(self) -> str | None:
        low = self.question.bounds[0]
        return None if low is None else _fmt(low)

    @property
    def high(self) -> str | None:
        high = self.question.bounds[1]
        return None if high is None else _fmt(high)

    @property
    def attempts_left(self) -> int:
        return max(0, MAX_ATTEMPTS - (self.answer or {}).get("attempt", 0))

    @property
    def choices(self) -> list[dict[str, Any]]:
        return [
            {"value": c.value, "label": c.label, "checked": self.form.get("value") == c.value}
            for c in self.question.choices
        ]

    @property
    def detail_needed_for(self) -> str:
        detail = self.question.detail
        return ", ".join(c.label for c in self.question.choices if detail and c.value in detail.required_for)


@dataclass
class GroupItem:
    number: int  # 1-based, for people
    index: int
    blocks: list[QuestionBlock]


@dataclass
class GroupView:
    key: str
    title: str
    repeatable: bool
    items: list[GroupItem]

    @property
    def blocks(self) -> list[QuestionBlock]:
        return self.items[0].blocks if self.items else []

    @property
    def can_add(self) -> bool:
        return self.repeatable and len(self.items) < MAX_REPEAT_ITEMS


@dataclass
class StageReads:
    """Everything one render of a stage needs, read once."""

    session: ScopingSession
    number: int
    detail: dict[str, Any]
    answer_set: AnswerSet  # the current answers of every stage (conditions, suggestions, derived hints)
    runs_by_answer: dict[int, StageRun]

    @functools.cached_property
    def plain(self) -> dict[str, Any]:
        """Question id → stored answer of item 0, as question conditions read them."""
        return {qid: current.value for (qid, item), current in self.answer_set.answers.items() if item == 0}


# --- Reads the selectors do not offer (yet) -------------------------------------------------------------------
# The stage page needs each answer's latest run (progress, Retry) and the written reasons of acknowledged
# concerns. Both are one small query scoped to a session already owned by the user; they belong in
# sessions_app/interview/selectors.py and are kept here only until that module grows them.


# --- Building the page ----------------------------------------------------------------------------------------


def _stage_number(stage_number: int) -> int:
    if not 1 <= stage_number <= STAGE_COUNT:
        raise Http404("No such stage.")
    return stage_number


def _read_stage(session: ScopingSession, stage_number: int) -> StageReads:
    detail = interview.stage_detail(session, stage_number)
    latest = interview.latest_answers(session)
    answer_ids = [a["answer_id"] for g in detail["groups"] for q in g["questions"] for a in q["answers"]]
    return StageReads(
        session=session,
        number=stage_number,
        detail=detail,
        answer_set=AnswerSet.from_rows(latest.values()),
        runs_by_answer=interview.answer_runs(session, answer_ids),
    )


def _fmt(number: Any) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _form_values(q: Question, stored: dict[str, Any] | None) -> dict[str, str]:
    """The stored answer (its JSON form) as the values of the question's widget."""
    if not stored:
        return {}
    value = stored.get("value")
    if q.type is QuestionType.LIST:
        return {"answer": "\n".join(value or [])}
    if q.type is QuestionType.NUMBER and q.per_item_of:
        return {"answer": "\n".join(f"{name}: {_fmt(v)}" for name, v in (value or {}).items())}
    if q.type is QuestionType.TEXT:
        return {"answer": str(value or "")}
    return {
        "value": "" if value is None else _fmt(value),
        "unit": stored.get("unit") or "",
        "note": stored.get("note") or "",
        "detail": stored.get("detail") or "",
    }


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


def _hints(reads: StageReads, q: Question) -> tuple[list[str], dict[str, str]]:
    """Help computed from earlier answers: suggestions, derived values to confirm, and a prefill for the widget."""
    hints: list[str] = []
    prefill: dict[str, str] = {}
    answers = reads.answer_set
    if q.suggestions is not None:
        chosen = answers.plain(q.suggestions.from_)
        if suggested := q.suggestions_for(chosen if isinstance(chosen, str) else None):
            hints.append(f"Suggested for {str(chosen).replace('_', ' ')}: {', '.join(suggested)}.")
    if q.per_item_of and isinstance(items := answers.plain(q.per_item_of), list) and items:
        prefill["answer"] = "\n".join(f"{name}: " for name in items)
    if q.confirms:
        derived = stage_definition(q.stage).derived_field(q.confirms)
        if q.confirms == "actionability_window.margin" and derived and len(derived.from_) == 2:
            window = builders.actionability(answers.value(derived.from_[0]), answers.value(derived.from_[1]))
            if margin := window.get("margin"):
                hints.append(
                    f"Your margin: time to act {_quantity(window['time_to_act'])} − prediction delay "
                    f"{_quantity(window['prediction_latency'])} = {_quantity(margin)}"
                    f"{'' if window.get('sufficient') else ' (not enough to act on)'}."
                )
        elif q.confirms == "data_sources[].covers_features":
            proposal = builders.propose_feature_coverage(answers)
            if proposal:
                lines = [f"{source}: {', '.join(features)}" for source, features in proposal.items()]
                hints.append("Proposed from your Stage-1 features and data sources; confirm or correct it.")
                prefill["answer"] = "\n".join(lines)
    return hints, prefill


def _quantity(quantity: dict[str, Any] | None) -> str:
    if not quantity:
        return "?"
    return f"{_fmt(quantity.get('value'))} {quantity.get('unit') or ''}".strip()


def _block(reads: StageReads, q: Question, item: int, answer: dict[str, Any] | None) -> QuestionBlock:
    run = reads.runs_by_answer.get(answer["answer_id"]) if answer else None
    hints, prefill = _hints(reads, q)
    return QuestionBlock(
        question=q,
        stage=reads.number,
        item=item,
        answer=answer,
        run=interview.run_json(run) if run else None,
        form=_form_values(q, answer["value"] if answer else None) or prefill,
        applies=q.applies(reads.plain),
        hints=hints,
    )


def _groups(reads: StageReads, extra_items: dict[str, int]) -> list[GroupView]:
    groups = []
    for group in reads.detail["groups"]:
        by_question = {q["question_id"]: {a["item"]: a for a in q["answers"]} for q in group["questions"]}
        indexes = {0}
        if group["repeatable"]:
            indexes |= {item for answers in by_question.values() for item in answers}
            wanted = min(max(extra_items.get(group["key"], 0), len(indexes)), MAX_REPEAT_ITEMS)
            candidate = 0
            while len(indexes) < wanted:
                indexes.add(candidate)
                candidate += 1
        items = [
            GroupItem(
                number=n,
                index=index,
                blocks=[
                    _block(reads, bank_question(qid), index, answers.get(index)) for qid, answers in by_question.items()
                ],
            )
            for n, index in enumerate(sorted(indexes), start=1)
        ]
        groups.append(GroupView(key=group["key"], title=group["title"], repeatable=group["repeatable"], items=items))
    return groups


def _find_block(reads: StageReads, question_id: str, item: int) -> QuestionBlock:
    q = bank_question(question_id)
    for group in reads.detail["groups"]:
        for data in group["questions"]:
            if data["question_id"] == question_id:
                answer = next((a for a in data["answers"] if a["item"] == item), None)
                return _block(reads, q, item, answer)
    raise Http404("No such question in this stage.")


def _progress(session: ScopingSession, stage_number: int) -> dict[str, Any]:
    overview = interview.stage_overview(session)
    for stage in overview:
        stage["reachable"] = stage["stage"] <= session.current_stage
        stage["is_current_page"] = stage["stage"] == stage_number
    completed = sum(1 for stage in overview if stage["status"] == StageStatus.COMPLETED)
    return {
        "stages": overview,
        "completed": completed,
        "total": STAGE_COUNT,
        "percent": round(100 * completed / STAGE_COUNT),
    }


def _gate_view(gate: dict[str, Any] | None, acknowledged: dict[str, str], *, fresh: bool) -> dict[str, Any] | None:
    """The gate JSON for the panel, with acknowledgements made since the gate last ran filled in."""
    if not gate:
        return None
    concerns = [
        {
            **concern,
            "acknowledged": concern.get("acknowledged") or concern["key"] in acknowledged,
            "reason": acknowledged.get(concern["key"], ""),
        }
        for concern in gate.get("concerns", [])
    ]
    missing = [
        {**m, "anchor": m["question_id"] if not m.get("item") else f"{m['question_id']}-{m['item']}"}
        for m in gate.get("missing", [])
    ]
    return {
        **gate,
        "concerns": concerns,
        "missing": missing,
        "fresh": fresh,
        "percent": round(100 * float(gate.get("completeness") or 0)),
    }


def _page_context(
    request: HtmxHttpRequest,
    session: ScopingSession,
    stage_number: int,
    *,
    replace: QuestionBlock | None = None,
    gate: dict[str, Any] | None = None,
    gate_notice: str = "",
) -> dict[str, Any]:
    locked = stage_number > session.current_stage
    context: dict[str, Any] = {
        "session": session,
        "stage_number": stage_number,
        "locked": locked,
        "progress": _progress(session, stage_number),
        "gate_notice": gate_notice,
    }
    definition = stage_definition(stage_number)
    context["definition"] = definition
    if locked:
        return context
    reads = _read_stage(session, stage_number)
    extra = {key.removeprefix("items-"): _int(value) for key, value in request.GET.items() if key.startswith("items-")}
    groups = _groups(reads, extra)
    if replace is not None:
        for group in groups:
            for group_item in group.items:
                group_item.blocks = [
                    replace if (b.question.id, b.item) == (replace.question.id, replace.item) else b
                    for b in group_item.blocks
                ]
    stored_gate = reads.detail["gate"]
    show_stored = stored_gate and not stored_gate.get("passed")
    context.update(
        detail=reads.detail,
        stage_status=reads.detail["status"],
        groups=groups,
        gate=_gate_view(
            gate if gate is not None else (stored_gate if show_stored else None),
            interview.acknowledgement_reasons(session, stage_number),
            fresh=gate is not None,
        ),
        checkpoints=[c for c in interview.checkpoint_list(session) if c.stage == stage_number],
        required_total=sum(1 for g in groups for i in g.items for b in i.blocks if b.question.required and b.applies),
        required_done=sum(
            1
            for g in groups
            for i in g.items
            for b in i.blocks
            if b.question.required and b.applies and b.status in FINAL_STATUSES
        ),
    )
    return context


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
    return render(request, QUESTION_BLOCK, {"session": session, "b": block, "announce": announce}, status=status)


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


@login_required
@require_GET
def stage_page(request: HtmxHttpRequest, session_id: str, stage_number: int) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    context = _page_context(request, session, _stage_number(stage_number))
    return render(request, STAGE_PAGE, context)


# --- Answers --------------------------------------------------------------------------------------------------


@login_required
@require_POST
@limit_interview_writes
def answer_submit(
    request: HtmxHttpRequest, session_id: str, stage_number: int, over_limit: RateLimitExceeded | None = None
) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    stage_number = _stage_number(stage_number)
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
    orchestrator = InterviewOrchestrator(session)
    notice, errors, status, retry_after = "", [], 200, None
    if over_limit is not None:
        notice, status, retry_after = _rate_message(over_limit.retry_after), 429, over_limit.retry_after
    else:
        try:
            submitted = orchestrator.submit_answer(
                stage_number=stage_number, question_id=q.id, answer=_raw_answer(q, request.POST), item=item
            )
        except ValidationError as exc:
            errors, status = _messages_for_errors(exc), 400
        except runs.RunInProgress as exc:
            notice, status, retry_after = _busy_message(exc.retry_after, saved=False), 429, exc.retry_after
        except InterviewConflict as exc:
            return _conflict_redirect(request, session, exc)
        else:
            return _after_submit(request, session, q, submitted)
    # Not saved: show the message beside the field, with what the user typed still in the form.
    reads = _read_stage(session, stage_number)
    block = _find_block(reads, q.id, max(item, 0))
    block.form, block.errors, block.notice = _posted_values(request.POST), errors, notice
    if request.htmx:
        response = _render_block(request, session, block, status=status)
    else:
        context = _page_context(request, session, stage_number, replace=block)
        response = render(request, STAGE_PAGE, context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _after_submit(request: HtmxHttpRequest, session: ScopingSession, q: Question, submitted: Any) -> HttpResponse:
    reads = _read_stage(session, q.stage)
    block = _find_block(reads, q.id, submitted.answer.item)
    if submitted.run is not None:
        # Show the run as the orchestrator returned it: just queued. The poll reads its real state a second later.
        block.answer = interview.answer_json(submitted.answer)
        block.run = interview.run_json(submitted.run)
        block.form = _form_values(q, submitted.answer.value)
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


def _session_run(request: HtmxHttpRequest, session_id: str, run_id: str) -> tuple[ScopingSession, StageRun]:
    session = session_get(user=request.user, session_id=session_id)
    run = run_get(user=request.user, run_id=run_id)
    if run.session_id != session.pk:
        raise Http404("No such run in this session.")
    return session, run


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
    reads = _read_stage(session, run.stage)
    block = _find_block(reads, answer.question_id, answer.item)
    if show_run is not None:
        block.run = interview.run_json(show_run)
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


@login_required
@require_GET
def run_status(request: HtmxHttpRequest, session_id: str, run_id: str) -> HttpResponse:
    session, run = _session_run(request, session_id, run_id)
    if not request.htmx:
        return redirect(_stage_url(session, run.stage or session.current_stage, _run_anchor(run)))
    if run.is_active:
        return render(
            request, RUN_PROGRESS, {"session": session, "run": interview.run_json(run), "anchor": _run_anchor(run)}
        )
    return _run_block(request, session, run, announce=True)


@login_required
@require_POST
def run_cancel(request: HtmxHttpRequest, session_id: str, run_id: str) -> HttpResponse:
    session, run = _session_run(request, session_id, run_id)
    run = runs.run_cancel(run=run)
    if request.htmx:
        return _run_block(request, session, run, announce=True)
    messages.info(request, "Stopped the check. Your answer is saved; press Retry to check it.")
    return redirect(_stage_url(session, run.stage or session.current_stage, _run_anchor(run)))


@login_required
@require_POST
@limit_interview_writes
def run_retry(
    request: HtmxHttpRequest, session_id: str, run_id: str, over_limit: RateLimitExceeded | None = None
) -> HttpResponse:
    session, run = _session_run(request, session_id, run_id)
    notice, retry_after, new_run = "", None, None
    if over_limit is not None:
        notice, retry_after = _rate_message(over_limit.retry_after), over_limit.retry_after
    else:
        try:
            new_run = runs.run_retry(run=run)
        except runs.RunInProgress as exc:
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


@login_required
@require_POST
@limit_writes(WRITE_LIMIT)
def stage_complete(request: HtmxHttpRequest, session_id: str, stage_number: int) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    stage_number = _stage_number(stage_number)
    try:
        InterviewOrchestrator(session).complete_stage(stage_number=stage_number)
    except InterviewConflict as exc:
        gate = exc.details.get("gate") if exc.code == "gate_failed" else None
        notice = "" if gate is not None else exc.message
        if request.htmx:
            # htmx swaps only 2xx, 400 and 429 (base.html): the panel that explains the 409 goes out as 200.
            context = {
                "session": session,
                "stage_number": stage_number,
                "gate_notice": notice,
                "gate": _gate_view(gate, interview.acknowledgement_reasons(session, stage_number), fresh=True),
            }
            return render(request, GATE_PANEL, context)
        context = _page_context(request, session, stage_number, gate=gate, gate_notice=notice)
        return render(request, STAGE_PAGE, context, status=409)
    session.refresh_from_db()
    if stage_number < STAGE_COUNT:
        messages.success(
            request, f"Stage {stage_number} is complete and a checkpoint was saved. On to stage {stage_number + 1}."
        )
        url = _stage_url(session, stage_number + 1)
    else:
        messages.success(request, "Stage 5 is complete and a checkpoint was saved. Generate the charter when ready.")
        url = reverse("charter:page", args=[session.id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
@limit_writes(WRITE_LIMIT)
def concern_acknowledge(request: HtmxHttpRequest, session_id: str, stage_number: int, key: str) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    stage_number = _stage_number(stage_number)
    reason = request.POST.get("reason", "")
    concern = {"key": key, "message": request.POST.get("message", ""), "acknowledged": False, "reason": reason}
    try:
        ack = InterviewOrchestrator(session).acknowledge_concern(stage_number=stage_number, key=key, reason=reason)
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


@login_required
@require_http_methods(["GET", "POST"])
@limit_writes(WRITE_LIMIT)
def checkpoint_restore(
    request: HtmxHttpRequest, session_id: str, stage_number: int, checkpoint_id: str
) -> HttpResponse:
    session = session_get(user=request.user, session_id=session_id)
    stage_number = _stage_number(stage_number)
    checkpoint = interview.checkpoint_get(session, checkpoint_id)
    if checkpoint.stage != stage_number:
        raise Http404("No such checkpoint in this stage.")
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
    InterviewOrchestrator(session).restore_checkpoint(checkpoint=checkpoint)
    messages.success(
        request, f"Restored stage {stage_number} to the checkpoint of {checkpoint.created_at:%d %b %Y, %H:%M}."
    )
    url = _stage_url(session, stage_number)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
