"""The stage page as the templates see it: question blocks, groups, the stage strip and the gate panel, built
from the interview selectors' objects (no queries of its own beyond those selectors)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from sessions_app.formatting import number_text, quantity_text, span_text
from sessions_app.interview import builders, selectors
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.completion import next_unanswered, required_progress
from sessions_app.interview.estimates import stage_estimates
from sessions_app.interview.governance import DECISION_LABELS
from sessions_app.interview.question_bank import Question, QuestionType
from sessions_app.interview.question_bank import stage as stage_definition
from sessions_app.interview.registry import REGISTRY, to_json
from sessions_app.interview.regulatory import TIER_LABELS
from sessions_app.interview.rules import MAX_ATTEMPTS, MAX_REPEAT_ITEMS, SAFETY_PRINCIPLE
from sessions_app.interview.serializers import answer_json, stage_summary_json
from sessions_app.interview.services import RECHECK_BUSY, RECHECK_PASSED, RECHECK_SKIPPED, Recheck
from sessions_app.models import (
    ACTIVE_RUN_STATUSES,
    AnswerStatus,
    Checkpoint,
    RunStatus,
    ScopingSession,
    StageRun,
    StageState,
    StageStatus,
    TeamFunction,
)
from sessions_app.runs.selectors import answer_runs
from sessions_app.runs.serializers import run_json

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


# --- What the templates get -----------------------------------------------------------------------------------


@dataclass
class QuestionBlock:
    """One question (one item of a repeatable group) as the page shows it."""

    question: Question
    stage: int
    item: int
    answer: dict[str, Any] | None  # serializers.answer_json of the current row
    run: dict[str, Any] | None  # runs.serializers.run_json of the current row's latest run
    form: dict[str, str]  # the widget values: answer, value, unit, note, detail
    applies: bool = True
    hints: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notice: str = ""
    edit_notice: str = ""  # what saving a change would re-open ("Saving a change re-opens stage 1; …")
    prefill: str = ""  # what an empty widget is filled with from earlier answers (static/js/autosave.js keeps it live)

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
        # A cancelled check leaves its answer check_failed (runs/lifecycle.py); the page says it was cancelled.
        cancelled = self.run is not None and self.run["status"] == RunStatus.CANCELLED
        if status in (AnswerStatus.PENDING, AnswerStatus.CHECK_FAILED) and cancelled:
            return "cancelled"
        if status == AnswerStatus.PENDING:
            return "unchecked" if self.run is None else "check_failed"
        return status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def run_active(self) -> bool:
        return self.run is not None and self.run["status"] in ACTIVE_RUN_STATUSES

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
        return None if low is None else number_text(low)

    @property
    def high(self) -> str | None:
        high = self.question.bounds[1]
        return None if high is None else number_text(high)

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

    @property
    def has_answers(self) -> bool:
        return any(block.answer is not None for block in self.blocks)


@dataclass
class GroupView:
    key: str
    title: str
    repeatable: bool
    items: list[GroupItem]
    function: str = ""  # the team function that usually answers the group (question bank)
    expected: list[str] = field(default_factory=list)  # the members with that function (the stage page fills it)

    @property
    def blocks(self) -> list[QuestionBlock]:
        return self.items[0].blocks if self.items else []

    @property
    def can_add(self) -> bool:
        return self.repeatable and len(self.items) < MAX_REPEAT_ITEMS

    @property
    def function_label(self) -> str:
        return TeamFunction(self.function).label if self.function in TeamFunction.values else ""


@dataclass
class StageReads:
    """Everything one render of a stage needs, read once."""

    session: ScopingSession
    number: int
    detail: selectors.StageDetail
    answer_set: AnswerSet  # the current answers of every stage (conditions, suggestions, derived hints)
    runs_by_answer: dict[int, StageRun]

    @functools.cached_property
    def plain(self) -> dict[str, Any]:
        """Question id → stored answer of item 0, as question conditions read them."""
        return self.answer_set.condition_view()


def read_stage(session: ScopingSession, stage_number: int) -> StageReads:
    detail = selectors.stage_detail(session, stage_number)
    return StageReads(
        session=session,
        number=stage_number,
        detail=detail,
        answer_set=selectors.current_answer_set(session),
        runs_by_answer=answer_runs(session=session, answer_ids=detail.answer_ids),
    )


def form_values(q: Question, stored: dict[str, Any] | None) -> dict[str, str]:
    """The stored answer (its JSON form) as the values of the question's widget."""
    if not stored:
        return {}
    value = stored.get("value")
    if q.type is QuestionType.LIST:
        return {"answer": "\n".join(value or [])}
    if q.type is QuestionType.NUMBER and q.per_item_of:
        return {"answer": "\n".join(f"{name}: {number_text(v)}" for name, v in (value or {}).items())}
    if q.type is QuestionType.TEXT:
        return {"answer": str(value or "")}
    return {
        "value": "" if value is None else number_text(value),
        "unit": stored.get("unit") or "",
        "note": stored.get("note") or "",
        "detail": stored.get("detail") or "",
    }


def _lines_missing(text: str, items: list[str]) -> list[str]:
    """The items a one-line-per-item text answer has no line for (none when it names no item at all)."""
    sources = [builders.parse_source_line(line) for line in items]
    read = builders.per_source_text(text, sources)
    if not read.by_source or read.general:
        return []
    return [source["name"] for source in sources if source["name"] not in read.by_source]


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
        prefill["answer"] = "\n".join(f"{builders.item_name(name)}: " for name in items)
        stored = answers.plain(q.id)
        if isinstance(stored, dict) and (new := [name for name in items if name not in stored]):
            hints.append(f"Not given a value yet: {', '.join(new)} (listed in {q.per_item_of}).")
        if isinstance(stored, str) and (left_out := _lines_missing(stored, items)):
            hints.append(f"No line yet for: {', '.join(left_out)} (listed in {q.per_item_of}).")
    if q.confirms:
        derived = stage_definition(q.stage).derived_field(q.confirms)
        if q.confirms == "actionability_window.margin" and derived and len(derived.from_) == 2:
            window = builders.actionability(answers.value(derived.from_[0]), answers.value(derived.from_[1]))
            if window.get("margin"):
                hints.append(
                    f"Your margin: time to act {quantity_text(window['time_to_act'], missing='?')} − prediction delay "
                    f"{quantity_text(window['prediction_latency'], missing='?')} = "
                    f"{span_text(window['margin_seconds'])}"
                    f"{'' if window.get('sufficient') else ' (not enough to act on)'}."
                )
        elif q.confirms == "data_sources[].covers_features":
            proposal = builders.propose_feature_coverage(answers)
            if proposal:
                lines = [f"{source}: {', '.join(features)}" for source, features in proposal.items()]
                hints.append("Proposed from your Stage-1 features and data sources; confirm or correct it.")
                prefill["answer"] = "\n".join(lines)
    return hints, prefill


def _block(reads: StageReads, q: Question, item: int, answer: dict[str, Any] | None) -> QuestionBlock:
    run = reads.runs_by_answer.get(answer["answer_id"]) if answer else None
    hints, prefill = _hints(reads, q)
    return QuestionBlock(
        question=q,
        stage=reads.number,
        item=item,
        answer=answer,
        run=run_json(run) if run else None,
        form=form_values(q, answer["value"] if answer else None) or prefill,
        applies=q.applies(reads.plain),
        hints=hints,
        prefill=prefill.get("answer", ""),
        edit_notice=reads.detail.edit_effect.message if reads.detail.edit_effect else "",
    )


def _groups(reads: StageReads, extra_items: dict[str, int]) -> list[GroupView]:
    groups = []
    for group in reads.detail.groups:
        by_question = [(q.question, {row.item: answer_json(row) for row in q.answers}) for q in group.questions]
        indexes = {0}
        if group.group.repeatable:
            indexes |= {item for _q, answers in by_question for item in answers}
            wanted = min(max(extra_items.get(group.group.key, 0), len(indexes)), MAX_REPEAT_ITEMS)
            candidate = 0
            while len(indexes) < wanted:
                indexes.add(candidate)
                candidate += 1
        items = [
            GroupItem(
                number=n,
                index=index,
                blocks=[_block(reads, q, index, answers.get(index)) for q, answers in by_question],
            )
            for n, index in enumerate(sorted(indexes), start=1)
        ]
        groups.append(
            GroupView(
                key=group.group.key,
                title=group.group.title,
                repeatable=group.group.repeatable,
                items=items,
                function=group.group.function.value,
            )
        )
    return groups


def find_block(reads: StageReads, question_id: str, item: int) -> QuestionBlock:
    for group in reads.detail.groups:
        for entry in group.questions:
            if entry.question.id == question_id:
                row = next((row for row in entry.answers if row.item == item), None)
                return _block(reads, entry.question, item, answer_json(row) if row else None)
    raise Http404("No such question in this stage.")


def _progress(session: ScopingSession, stage_number: int, answers: AnswerSet | None = None) -> dict[str, Any]:
    overview = [stage_summary_json(summary) for summary in selectors.stage_overview(session)]
    for stage in overview:
        # A stage is closed only until it is first reached; needing review or re-opened, it stays readable.
        stage["reachable"] = selectors.is_reachable(stage["status"], stage["stage"], session.current_stage)
        stage["is_current_page"] = stage["stage"] == stage_number
        if answers is not None:  # the one counting rule (completion.py), as on the page and the gate
            counted = required_progress(answers, stage["stage"])
            stage["required_answered"], stage["required_questions"] = counted.done, counted.total
    summary = selectors.stage_progress(session)  # the same figures as the session page, dashboard and API
    return {
        "stages": overview,
        "completed": summary.completed,
        "needs_review": summary.needs_review,
        "to_recheck": summary.to_recheck,
        "total": summary.total,
        "percent": summary.percent,
    }


def progress_strip(session: ScopingSession, stage_number: int) -> dict[str, Any]:
    """The stage strip of a stage page (for the out-of-band refresh after a gate)."""
    return _progress(session, stage_number, selectors.current_answer_set(session))


def recheck_summary(result: Recheck) -> str:
    """A re-check's outcome in a sentence or two, for the page's message."""
    if not result.results:
        return "No stage needs a re-check: every stage whose gate passed still holds."
    passed = [r.stage for r in result.results if r.outcome == RECHECK_PASSED]
    stopped = result.stopped_at
    said = []
    if passed:
        verb = "passes" if len(passed) == 1 else "pass"
        said.append(f"{selectors.stage_range_text(passed).capitalize()} {verb} again; new checkpoints are saved.")
    if stopped is None:
        said.append("Every stage is complete: the charter can be generated.")
        return " ".join(said)
    if stopped.outcome == RECHECK_BUSY:
        said.append(f"An answer of stage {stopped.stage} is still being checked: re-check again when it is done.")
    else:
        gate = stopped.gate or {}
        open_items = [
            f"{len(gate.get('missing') or [])} answer(s) missing" if gate.get("missing") else "",
            f"{len(gate.get('blockers') or [])} blocker(s)" if gate.get("blockers") else "",
            f"{sum(1 for c in gate.get('concerns') or [] if not c.get('acknowledged'))} concern(s) to acknowledge"
            if any(not c.get("acknowledged") for c in gate.get("concerns") or [])
            else "",
        ]
        what = ", ".join(item for item in open_items if item) or "its gate does not pass"
        said.append(f"Stage {stopped.stage} does not pass ({what}); its page shows what is missing.")
    waiting = [r.stage for r in result.results if r.outcome == RECHECK_SKIPPED]
    if waiting:
        verb = "needs" if len(waiting) == 1 else "need"
        said.append(f"{selectors.stage_range_text(waiting).capitalize()} still {verb} review.")
    return " ".join(said)


def gate_view(gate: dict[str, Any] | None, acknowledged: dict[str, str], *, fresh: bool) -> dict[str, Any] | None:
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


def gate_panel(
    session: ScopingSession,
    stage_number: int,
    *,
    state: StageState | None = None,
    gate: dict[str, Any] | None = None,
    checkpoints: list[Checkpoint] | None = None,
    gate_notice: str = "",
    just_passed: bool = False,
) -> dict[str, Any]:
    """What the gate panel shows: a gate result just produced (``gate``: the answer to "Complete stage"), else the
    stored one — a failed result, or on a completed stage the passed one with its checkpoint and acknowledged
    concerns, and where to go next. A re-opened stage shows no old "passed" result. When stages need review (or
    were re-opened) it offers "Re-check stages"."""
    states = selectors.stage_states(session)
    state = state or states[stage_number]
    stored = state.gate or None
    if gate is None and stored and (not stored.get("passed") or state.status == StageStatus.COMPLETED):
        shown = stored
    else:
        shown = gate
    if checkpoints is None:
        checkpoints = [c for c in selectors.checkpoint_list(session) if c.stage == stage_number]
    to_recheck = selectors.stages_to_recheck(states)
    return {
        "stage_number": stage_number,
        "stage_status": state.status,
        "stage_reopened": selectors.is_reopened(state),
        "gate": gate_view(
            shown, selectors.acknowledgement_reasons(session, stage_number), fresh=gate is not None or just_passed
        ),
        "gate_notice": gate_notice,
        "last_checkpoint": checkpoints[0] if checkpoints else None,
        "is_last_stage": stage_number == REGISTRY.numbers[-1],
        "to_recheck": to_recheck,
        "to_recheck_text": selectors.stage_range_text(to_recheck) if to_recheck else "",
    }


def page_context(
    session: ScopingSession,
    stage_number: int,
    *,
    extra_items: dict[str, int] | None = None,
    replace: QuestionBlock | None = None,
    gate: dict[str, Any] | None = None,
    gate_notice: str = "",
) -> dict[str, Any]:
    status = selectors.stage_states(session)[stage_number].status
    locked = not selectors.is_reachable(status, stage_number, session.current_stage)
    reads = None if locked else read_stage(session, stage_number)
    context: dict[str, Any] = {
        "session": session,
        "stage_number": stage_number,
        "locked": locked,
        "progress": _progress(session, stage_number, reads.answer_set if reads else None),
        "gate_notice": gate_notice,
        "estimate": stage_estimates((stage_number,))[stage_number],
    }
    definition = stage_definition(stage_number)
    context["definition"] = definition
    if reads is None:
        return context
    groups = _groups(reads, extra_items or {})
    if replace is not None:
        for group in groups:
            for group_item in group.items:
                group_item.blocks = [
                    replace if (b.question.id, b.item) == (replace.question.id, replace.item) else b
                    for b in group_item.blocks
                ]
    checkpoints = [c for c in selectors.checkpoint_list(session) if c.stage == stage_number]
    context.update(
        detail=reads.detail,
        groups=groups,
        **gate_panel(
            session, stage_number, state=reads.detail.state, gate=gate, checkpoints=checkpoints, gate_notice=gate_notice
        ),
        checkpoints=checkpoints,
        preview=stage_preview(reads.answer_set, stage_number),
        required=required_progress(reads.answer_set, stage_number),
        next_unanswered=next_unanswered(
            reads.answer_set,
            from_stage=stage_number,
            reachable_up_to=session.current_stage,
            stage_numbers=tuple(REGISTRY.numbers),
        ),
    )
    return context


def dependent_blocks(reads: StageReads, question_id: str) -> list[QuestionBlock]:
    """The blocks of this stage whose hints or prefill are computed from ``question_id``'s answer (S2Q7's
    thresholds from S2Q6's metrics, S2Q14's margin from S2Q12 and S2Q13): refreshed when that answer is saved."""
    definition = stage_definition(reads.number)
    dependants = []
    for q in definition.questions:
        derived = definition.derived_field(q.confirms) if q.confirms else None
        if q.per_item_of == question_id or (derived is not None and question_id in derived.from_):
            dependants.append(q.id)
    return [find_block(reads, qid, 0) for qid in dependants if qid != question_id]


# --- The stage-5 decision preview ------------------------------------------------------------------------------
DECISION_STAGE = 5  # the stage whose page previews the governance decision
# Which answers drive a rule: the inputs of the rule name principles (their severity, likelihood, effectiveness and
# mitigation-status questions), or the rule reads one field of the report (its question).
_PRINCIPLE_INPUTS = ("severity", "likelihood", "mitigation_effectiveness", "mitigation_status")
_RULE_FIELDS = {
    "prohibited_practice": ("regulatory.",),
    "high_risk_tier": ("regulatory.",),
    "limited_risk_tier": ("regulatory.",),
    "no_formal_review": ("self_assessment.prior_review", "regulatory."),
    "team_does_not_accept": ("acceptance.residual_risk_acceptable",),
}


def _driving_questions(rule: Mapping[str, Any]) -> list[Question]:
    stage_5 = stage_definition(5).questions
    principles: set[str] = set()
    for key, value in rule["inputs"].items():
        if key.endswith("principles") or key == "inherent_high":
            principles |= set(value or [])
        elif key == "safety_band":
            principles.add(SAFETY_PRINCIPLE)
    fields = _RULE_FIELDS.get(rule["rule"], ())
    return [
        q
        for q in stage_5
        if any(q.feeds.startswith(f"principles.{p}.{name}") for p in principles for name in _PRINCIPLE_INPUTS)
        or any(q.feeds.startswith(prefix) for prefix in fields)
    ]


def decision_preview(deliverable: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the governance decision would be if the charter were generated now, and the answers that drive it.

    Read from stage 5's deliverable as ``stage_evaluate`` builds it (no consistency findings yet: those come
    with the charter). ``None`` before the EU AI Act questions or any principle is answered."""
    if not deliverable:
        return None
    tier = (deliverable.get("regulatory") or {}).get("tier") or {}
    record = deliverable.get("governance_decision")
    if not record and not tier.get("tier"):
        return None
    reasons = []
    for rule in (record or {}).get("rules_fired", []):
        questions = _driving_questions(rule)
        reasons.append(
            {
                "text": rule["description"],
                "level": DECISION_LABELS.get(rule["outcome"], rule["outcome"]),
                "decisive": rule["decisive"],
                "questions": [{"id": q.id, "anchor": q.id, "text": q.text} for q in questions],
            }
        )
    decision = (record or {}).get("decision")
    return {
        "decision": decision,
        "label": DECISION_LABELS.get(decision or "", ""),
        "committee": bool(record and record.get("requires_committee_review")),
        "reasons": reasons,
        "tier": tier.get("tier"),
        "tier_label": TIER_LABELS.get(tier.get("tier") or "", ""),
        "tier_reasons": tier.get("reasons") or [],
        "tier_missing": tier.get("missing") or [],
    }


def stage_preview(answers: AnswerSet, stage_number: int) -> dict[str, Any] | None:
    """The decision preview for the stage-5 page (``None`` on other stages)."""
    if stage_number != DECISION_STAGE:
        return None
    return decision_preview(to_json(selectors.stage_deliverable(answers, DECISION_STAGE)))
