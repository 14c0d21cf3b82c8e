"""The charter's background work, registered with the executor at start-up (the app config imports this module):
a ``consistency`` run (the findings alone) and a ``charter`` run (consistency → narrative → content → a version)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from llm.errors import LLMCancelled
from llm.gateway import complete
from llm.streaming import partial_field
from sessions_app.charter import selectors
from sessions_app.charter.consistency import check_consistency, has_unresolved_critical
from sessions_app.charter.content import build_charter_content, narrative_request
from sessions_app.charter.deliverables import StageDeliverables
from sessions_app.charter.rendering import to_markdown
from sessions_app.charter.services import charter_exports_store, charter_save
from sessions_app.errors import RunRefused
from sessions_app.interview.builders import explainability_with_tier
from sessions_app.interview.governance import report_with_decision
from sessions_app.interview.selectors import current_answer_set
from sessions_app.models import (
    AnswerStatus,
    ConcernAcknowledgement,
    ConsistencyReview,
    RunKind,
    ScopingSession,
    StageRun,
)
from sessions_app.runs.executor import PartialTextWriter, RunUsage, StageExecutor, run_is_running, run_progress

KEPT = "Earlier versions are intact"


class CriticalFindings(RunRefused):
    """The consistency check found critical contradictions that nobody acknowledged yet."""

    def __init__(self, findings: list[dict[str, Any]]) -> None:
        self.findings = [f for f in findings if f.get("severity") == "critical"]
        names = "; ".join(f["description"] for f in self.findings[:3])
        super().__init__(
            f"The consistency check found {len(self.findings)} critical problem(s): {names}. "
            "Fix the answers, or acknowledge each finding with a reason, then generate again."
        )


def stored_deliverables(session: ScopingSession) -> StageDeliverables:
    """The deliverables each gate stored, with stage 4's explainability level taken again against stage 5's EU AI
    Act tier (stage 4's gate ran before that answer existed)."""
    d = StageDeliverables.of(selectors.stage_deliverables(session))
    tier = d.ethics.regulatory.tier.tier if d.ethics.regulatory.tier else None
    users = explainability_with_tier(d.users, d.problem.ml_archetype, tier)
    return StageDeliverables(d.problem, d.metrics, d.data, users, d.ethics)


def decided(
    session: ScopingSession, d: StageDeliverables, findings: list[dict[str, Any]] | None = None
) -> StageDeliverables:
    """The deliverables with the governance decision taken again (the named step where the charter is built), now
    with what only the charter knows: the consistency findings, their acknowledgements, the escalated answers."""
    escalated = [
        a.question_id
        for a in current_answer_set(session)
        if a.status == AnswerStatus.ESCALATED and a.question_id.startswith("S5")
    ]
    ethics = report_with_decision(
        d.ethics,
        overall_feasibility=d.data.overall_feasibility,
        escalated_questions=sorted(set(escalated)),
        findings=findings,
        acknowledged_findings=set(selectors.acknowledged_findings(session)),
    )
    return StageDeliverables(d.problem, d.metrics, d.data, d.users, ethics)


def review_consistency(
    session: ScopingSession, deliverables: StageDeliverables
) -> tuple[list[dict[str, Any]], RunUsage, str]:
    """Run the consistency checks on the deliverables and store the findings as a ``ConsistencyReview``."""
    consistency = check_consistency(deliverables, session=session)
    findings = consistency.findings_json()
    ConsistencyReview.objects.create(
        session=session, findings=findings, semantic_available=consistency.semantic_available
    )
    usage = RunUsage(
        provider=consistency.provider,
        model="",
        input_tokens=consistency.input_tokens,
        output_tokens=consistency.output_tokens,
        cost_usd=consistency.cost_usd,
    )
    return findings, usage, consistency.semantic_note


@StageExecutor.register(RunKind.CONSISTENCY, kept=KEPT)
def check(run: StageRun) -> tuple[dict[str, Any], RunUsage | None] | None:
    """The ``consistency`` run: the findings, shown on the charter page before any generation."""
    if not run_progress(run=run, step="Checking consistency across the stages…"):
        return None
    findings, usage, _ = review_consistency(run.session, stored_deliverables(run.session))
    critical = sum(1 for f in findings if f.get("severity") == "critical")
    return {"findings": len(findings), "critical": critical}, usage


@StageExecutor.register(RunKind.CHARTER, kept=KEPT)
def generate(run: StageRun) -> tuple[dict[str, Any], RunUsage | None] | None:
    """The ``charter`` run: consistency → narrative → content → a new version. ``None`` when cancelled."""
    session = run.session
    if not run_progress(run=run, step="Checking consistency across the stages…"):
        return None
    findings, consistency_usage, consistency_note = review_consistency(session, stored_deliverables(session))
    deliverables = decided(session, stored_deliverables(session), findings)
    if has_unresolved_critical(findings, set(selectors.acknowledged_findings(session))):
        raise CriticalFindings(findings)

    if not run_progress(run=run, step="Writing the executive summary…"):
        return None
    # The summary streams onto the page as the model writes it; Cancel stops the provider call.
    shown_as_written = PartialTextWriter(
        run,
        lambda so_far: partial_field(so_far, "executive_summary"),
        interval=settings.RUN_PARTIAL_TEXT_SECONDS,
    )
    try:
        narrative = complete(
            narrative_request(
                project_name=session.project_name, deliverables=deliverables, findings=findings, session=session
            ),
            on_text=shown_as_written,
        )
    except LLMCancelled:
        return None
    usage = RunUsage(
        provider=narrative.provider,
        model=narrative.model,
        input_tokens=narrative.usage.input_tokens,
        output_tokens=narrative.usage.output_tokens,
        cost_usd=narrative.cost_usd,
    ).plus(consistency_usage)

    if not run_progress(run=run, step="Assembling the charter…"):
        return None
    concerns = [
        {"stage": a.stage, "key": a.key, "message": a.message, "reason": a.reason}
        for a in ConcernAcknowledgement.objects.filter(session=session).order_by("stage", "created_at")
    ]
    content = build_charter_content(
        project_name=session.project_name,
        deliverables=deliverables,
        answers=current_answer_set(session),
        acknowledged_concerns=concerns,
        findings=findings,
        narrative=narrative.parsed,
        version=selectors.next_version(session),
        generated_at=timezone.now(),
        narrative_offline=narrative.offline,
        consistency_note=consistency_note,
    )
    if not run_is_running(run=run):
        return None
    charter = charter_save(
        session=session,
        content=content,
        markdown=to_markdown(content),
        provider=narrative.provider,
        offline=narrative.offline,
        actor=run.owner,
    )
    # The PDF and Word files are made here, once per version, so that a download is a read of stored bytes and
    # the web process never lays out a PDF. The version exists already: a cancel now changes nothing.
    run_progress(run=run, step="Preparing the PDF and Word files…")
    charter_exports_store(charter=charter)
    return {
        "charter_id": str(charter.pk),
        "version": charter.version,
        "decision": charter.decision,
        "findings": len(findings),
    }, usage
