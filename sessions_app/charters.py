"""Charter generation and versions: the services and selectors both the pages and the API call.

Generation runs in the background (a ``charter`` run): check cross-stage consistency, stop if a critical
finding is unresolved, write the narrative through the LLM gateway, assemble the content from the stored
deliverables, save a new ``Charter`` version and mark the session completed. Nothing factual comes from the model.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from sessions_app import runs
from sessions_app.errors import InterviewConflict
from sessions_app.interview.selectors import acknowledgement_reasons
from sessions_app.interview.state import current_rows, ensure_stage_states
from sessions_app.models import (
    CROSS_STAGE,
    STAGE_COUNT,
    AnswerStatus,
    Charter,
    ConcernAcknowledgement,
    ConsistencyReview,
    RunKind,
    ScopingSession,
    SessionStatus,
    StageRun,
    StageStatus,
)

FINAL = (AnswerStatus.ACCEPTED, AnswerStatus.ESCALATED)


# --- reads ----------------------------------------------------------------------------------------------------
def charter_get(*, session: ScopingSession, version: int | str | None = None) -> Charter:
    charters = Charter.objects.filter(session=session)
    if version not in (None, ""):
        try:
            charters = charters.filter(version=int(str(version)))
        except ValueError as exc:
            raise Http404("No such charter version.") from exc
    charter = charters.order_by("-version").first()
    if charter is None:
        raise Http404("No charter has been generated for this session yet.")
    return charter


def charter_versions(*, session: ScopingSession) -> list[Charter]:
    return list(Charter.objects.filter(session=session).order_by("-version"))


def answers_snapshot(session: ScopingSession) -> dict[str, int]:
    """The id of the current answer to each question: comparing snapshots shows what changed between versions."""
    latest: dict[str, int] = {}
    for row in current_rows(session):
        latest[f"{row.question_id}#{row.item}"] = row.pk
    return latest


def changed_since(charter: Charter) -> list[str]:
    """Question keys (``S2Q3#0``) whose current answer differs from the one the charter was built from."""
    now = answers_snapshot(charter.session)
    keys = set(now) | set(charter.answers_snapshot)
    return sorted(key for key in keys if now.get(key) != charter.answers_snapshot.get(key))


def missing_for_charter(session: ScopingSession) -> list[dict[str, Any]]:
    """Stages that are not completed (or stale): the charter needs all five."""
    states = ensure_stage_states(session)
    return [
        {"stage": n, "status": states[n].status}
        for n in range(1, STAGE_COUNT + 1)
        if states[n].status != StageStatus.COMPLETED
    ]


def latest_review(session: ScopingSession) -> ConsistencyReview | None:
    return ConsistencyReview.objects.filter(session=session).order_by("-created_at").first()


def acknowledged_findings(session: ScopingSession) -> dict[str, str]:
    return acknowledgement_reasons(session, CROSS_STAGE)


# --- writes ---------------------------------------------------------------------------------------------------
def _start_when_complete(session: ScopingSession, kind: str, action: str) -> StageRun:
    """Queue a run that needs all five stages: 409 while any is incomplete; 429 while another run is active."""
    missing = missing_for_charter(session)
    if missing:
        raise InterviewConflict(f"Complete every stage before {action}.", code="stages_incomplete", missing=missing)
    with transaction.atomic():
        return runs.run_start(session=session, kind=kind, step="Waiting for a worker…")


def charter_generate(*, session: ScopingSession) -> StageRun:
    """Queue a charter generation (it checks consistency first)."""
    return _start_when_complete(session, RunKind.CHARTER, "generating the charter")


def finding_acknowledge(*, session: ScopingSession, key: str, reason: str) -> ConcernAcknowledgement:
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": ["Say in a sentence why this finding is acceptable (10+ characters)."]})
    review = latest_review(session)
    findings = {f["key"]: f for f in (review.findings if review else [])}
    if key not in findings:
        raise ValidationError({"key": [f"There is no consistency finding {key!r}; run the check first."]})
    ack, _ = ConcernAcknowledgement.objects.update_or_create(
        session=session,
        stage=CROSS_STAGE,
        key=key,
        defaults={"reason": reason, "message": findings[key]["description"]},
    )
    return ack


def charter_approve(*, charter: Charter, approver_name: str, approved_at: Any = None, comment: str = "") -> Charter:
    name = (approver_name or "").strip()
    if not name:
        raise ValidationError({"approver_name": ["Give the approver's name."]})
    charter.approver_name = name[:150]
    charter.approved_at = approved_at or timezone.localdate()
    charter.approval_comment = (comment or "").strip()[:2000]
    charter.save(update_fields=["approver_name", "approved_at", "approval_comment"])
    return charter


@transaction.atomic
def charter_save(
    *, session: ScopingSession, content: dict[str, Any], markdown: str, provider: str, offline: bool
) -> Charter:
    """Store a new version and mark the session completed (progress 100%)."""
    locked = ScopingSession.objects.select_for_update().get(pk=session.pk)
    version = int(content.get("version") or next_version(locked))
    decision = content.get("decision")
    charter = Charter.objects.create(
        id=uuid.uuid4(),
        session=locked,
        version=version,
        content=content,
        markdown=markdown,
        decision=str(decision.get("decision", "")) if isinstance(decision, dict) else str(decision or ""),
        provider=provider,
        offline=offline,
        answers_snapshot=answers_snapshot(locked),
    )
    locked.status, locked.completed_at = SessionStatus.COMPLETED, timezone.now()
    locked.save(update_fields=["status", "completed_at", "updated_at"])
    return charter


# --- the background run ---------------------------------------------------------------------------------------
def stage_deliverables(session: ScopingSession) -> dict[int, dict[str, Any]]:
    states = ensure_stage_states(session)
    return {n: states[n].deliverable or {} for n in range(1, STAGE_COUNT + 1)}


def next_version(session: ScopingSession) -> int:
    return (Charter.objects.filter(session=session).aggregate(v=Max("version"))["v"] or 0) + 1


def review_consistency(session: ScopingSession) -> tuple[list[dict[str, Any]], _Usage, str]:
    """Run the consistency checks on the stored deliverables and store the findings as a ``ConsistencyReview``."""
    from sessions_app.charter.consistency import check_consistency

    consistency = check_consistency(stage_deliverables(session), session=session)
    findings = consistency.findings_json()
    ConsistencyReview.objects.create(
        session=session, findings=findings, semantic_available=consistency.semantic_available
    )
    usage = _Usage()
    usage.add(consistency.provider, consistency.input_tokens, consistency.output_tokens, consistency.cost_usd)
    return findings, usage, consistency.semantic_note


def check(run: StageRun) -> tuple[dict[str, Any], runs.RunUsage | None] | None:
    """The ``consistency`` run: the findings, shown on the charter page before any generation."""
    if not runs.run_progress(run=run, step="Checking consistency across the stages…"):
        return None
    findings, usage, _ = review_consistency(run.session)
    critical = sum(1 for f in findings if f.get("severity") == "critical")
    return {"findings": len(findings), "critical": critical}, usage.total()


def consistency_start(*, session: ScopingSession) -> StageRun:
    """Queue a consistency check on its own, to see the findings before generating."""
    return _start_when_complete(session, RunKind.CONSISTENCY, "checking consistency")


def generate(run: StageRun) -> tuple[dict[str, Any], runs.RunUsage | None] | None:
    """The ``charter`` run: consistency → narrative → content → a new version. ``None`` when cancelled."""
    from llm.gateway import complete
    from sessions_app.charter.consistency import has_unresolved_critical
    from sessions_app.charter.content import build_charter_content, narrative_request
    from sessions_app.charter.render import to_markdown
    from sessions_app.interview.state import current_answer_set

    session = run.session
    if not runs.run_progress(run=run, step="Checking consistency across the stages…"):
        return None
    deliverables = stage_deliverables(session)
    findings, usage, consistency_note = review_consistency(session)
    acknowledged = acknowledged_findings(session)
    if has_unresolved_critical(findings, set(acknowledged)):
        raise CriticalFindings(findings)

    if not runs.run_progress(run=run, step="Writing the executive summary…"):
        return None
    narrative = complete(
        narrative_request(
            project_name=session.project_name, deliverables=deliverables, findings=findings, session=session
        )
    )
    usage.add(
        narrative.provider,
        narrative.usage.input_tokens,
        narrative.usage.output_tokens,
        narrative.cost_usd,
        model=narrative.model,
    )

    if not runs.run_progress(run=run, step="Assembling the charter…"):
        return None
    answers = current_answer_set(session)
    concerns = [
        {"stage": a.stage, "key": a.key, "message": a.message, "reason": a.reason}
        for a in ConcernAcknowledgement.objects.filter(session=session).order_by("stage", "created_at")
    ]
    content = build_charter_content(
        project_name=session.project_name,
        deliverables=deliverables,
        answers=answers,
        acknowledged_concerns=concerns,
        findings=findings,
        narrative=narrative.parsed,
        version=next_version(session),
        generated_at=timezone.now(),
        narrative_offline=narrative.offline,
        consistency_note=consistency_note,
    )
    if not runs.run_is_running(run=run):
        return None
    charter = charter_save(
        session=session,
        content=content,
        markdown=to_markdown(content),
        provider=narrative.provider,
        offline=narrative.offline,
    )
    return {
        "charter_id": str(charter.pk),
        "version": charter.version,
        "decision": charter.decision,
        "findings": len(findings),
    }, usage.total()


class CriticalFindings(Exception):
    """The consistency check found critical contradictions that nobody acknowledged yet."""

    def __init__(self, findings: list[dict[str, Any]]) -> None:
        self.findings = [f for f in findings if f.get("severity") == "critical"]
        names = "; ".join(f["description"] for f in self.findings[:3])
        super().__init__(
            f"The consistency check found {len(self.findings)} critical problem(s): {names}. "
            "Fix the answers, or acknowledge each finding with a reason, then generate again."
        )


class _Usage:
    """Adds up the tokens and cost of the run's LLM calls."""

    def __init__(self) -> None:
        self.provider = ""
        self.model = ""
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost = Decimal(0)

    def add(self, provider: str, input_tokens: int, output_tokens: int, cost: Decimal, model: str = "") -> None:
        self.provider = provider or self.provider
        self.model = model or self.model
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.cost += Decimal(cost)

    def total(self) -> runs.RunUsage:
        return runs.RunUsage(
            provider=self.provider,
            model=self.model,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cost_usd=self.cost,
        )
