"""Risk per ethical principle and the advisory governance decision (DOMAIN.md "Governance decision").

Pure functions over typed inputs. Every rule is a **floor**: each one that holds is recorded with its inputs and
the level it sets, and the decision is the most severe floor, so adding risk can never lower the decision. The
rules whose floor is the final level are marked decisive. Thresholds, caps and bands come from ``rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from sessions_app.formatting import plural as counted
from sessions_app.interview import rules
from sessions_app.interview.regulatory import TierResult, eu_ai_act_tier

RiskLevel = Literal["low", "medium", "high", "critical"]
Band = Literal["low", "medium", "high", "critical"]
Decision = Literal["proceed", "proceed_with_monitoring", "revise", "submit_to_committee", "halt"]
Feasibility = Literal["high", "medium", "low"]
MitigationStatus = Literal["planned", "implemented", "verified"]

DECISION_LABELS: Mapping[str, str] = {
    "proceed": "Proceed",
    "proceed_with_monitoring": "Proceed with monitoring",
    "revise": "Revise",
    "submit_to_committee": "Submit to committee",
    "halt": "Halt",
}


class ResidualRisk(BaseModel):
    """One principle's risk: inherent (severity × likelihood), the credit its mitigation earns, and the residual."""

    model_config = ConfigDict(frozen=True)

    severity: RiskLevel
    likelihood: RiskLevel
    inherent_score: float
    inherent_band: Band
    effectiveness_percent: float = Field(ge=0, le=100, description="the effectiveness the team stated")
    mitigation_status: MitigationStatus | None = Field(description="None: not answered, credited as planned")
    credit_cap_percent: float = Field(description="the most this status can earn")
    credited_percent: float = Field(description="min(stated effectiveness, cap): what the formula uses")
    score: float = Field(description="inherent score × (1 − credited)")
    band: Band = Field(description="the residual band, never more than one band below the inherent band")
    band_floored: bool = Field(description="True when the one-band limit raised the band of the score")


class RuleFired(BaseModel):
    """A decision rule whose condition held: its plain-language reason, the inputs it looked at, its floor."""

    model_config = ConfigDict(frozen=True)

    rule: str
    description: str
    inputs: dict[str, Any]
    outcome: Decision
    decisive: bool = Field(description="True when this rule's floor is the decision")


class GovernanceDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: Decision
    requires_committee_review: bool
    advisory: Literal[True] = True
    rules_fired: list[RuleFired]
    floors: dict[str, Decision]
    residual_bands: dict[str, Band]
    inherent_bands: dict[str, Band]
    credited_effectiveness: dict[str, float]
    eu_ai_act_tier: str | None = None
    eu_ai_act_reasons: list[str] = Field(default_factory=list)
    eu_ai_act_obligations: list[str] = Field(default_factory=list)
    overall_feasibility: Feasibility | None = None
    findings_considered: bool = False


def band_of(score: float) -> Band:
    for bound, band in rules.RISK_BANDS:
        if score >= bound:
            return band  # type: ignore[return-value]
    return rules.RISK_FLOOR_BAND  # type: ignore[return-value]


def residual_band(score: float) -> Band:
    """The band of a score (kept for callers that band a residual score alone)."""
    return band_of(score)


def _level(name: str, value: str) -> int:
    if value not in rules.RISK_LEVEL_VALUES:
        raise ValueError(f"{name} must be one of {', '.join(rules.RISK_LEVEL_VALUES)}; got {value!r}.")
    return rules.RISK_LEVEL_VALUES[value]


def credited_fraction(effectiveness_percent: float, status: str | None) -> tuple[float, float]:
    """(cap, credited) as fractions: a mitigation earns credit only as far as it exists."""
    if not 0 <= effectiveness_percent <= rules.EFFECTIVENESS_PERCENT_SCALE:
        raise ValueError(f"Mitigation effectiveness must be a percentage from 0 to 100; got {effectiveness_percent!r}.")
    if status is not None and status not in rules.MITIGATION_CREDIT_CAPS:
        raise ValueError(f"Mitigation status must be one of {', '.join(rules.MITIGATION_CREDIT_CAPS)}; got {status!r}.")
    cap = rules.MITIGATION_CREDIT_CAPS[status or rules.MITIGATION_STATUS_WHEN_UNKNOWN]
    return cap, min(cap, effectiveness_percent / rules.EFFECTIVENESS_PERCENT_SCALE)


def residual_risk(
    severity: str, likelihood: str, effectiveness_percent: float, mitigation_status: str | None = None
) -> ResidualRisk:
    """inherent = severity × likelihood; residual = inherent × (1 − min(stated, cap of the status)), banded, and
    never more than one band below the inherent band."""
    inherent = _level("severity", severity) * _level("likelihood", likelihood)
    inherent_band = band_of(inherent)
    cap, credited = credited_fraction(effectiveness_percent, mitigation_status)
    score = round(inherent * (1 - credited), rules.RISK_SCORE_DECIMALS)
    lowest = rules.BAND_ORDER[max(0, rules.BAND_ORDER.index(inherent_band) - rules.MAX_BANDS_BELOW_INHERENT)]
    band = band_of(score)
    floored = rules.BAND_ORDER.index(band) < rules.BAND_ORDER.index(lowest)
    return ResidualRisk(
        severity=severity,  # type: ignore[arg-type]  # validated by _level
        likelihood=likelihood,  # type: ignore[arg-type]
        inherent_score=float(inherent),
        inherent_band=inherent_band,
        effectiveness_percent=effectiveness_percent,
        mitigation_status=mitigation_status,  # type: ignore[arg-type]  # validated by credited_fraction
        credit_cap_percent=round(cap * 100, 2),
        credited_percent=round(credited * 100, 2),
        score=score,
        band=lowest if floored else band,  # type: ignore[arg-type]
        band_floored=floored,
    )


@dataclass(frozen=True)
class DecisionInputs:
    """Everything the decision reads, gathered by ``governance_decide`` (or a test)."""

    risks: Mapping[str, ResidualRisk]
    tier: TierResult | None = None
    prior_review: str | None = None
    residual_acceptable: str | None = None
    overall_feasibility: str | None = None
    escalated_questions: Sequence[str] = ()
    # Consistency findings: None until the cross-stage check ran (the charter); each {key, severity, description}.
    findings: Sequence[Mapping[str, Any]] | None = None
    acknowledged_findings: frozenset[str] = field(default_factory=frozenset)


def _open_issues_text(escalated: int, accepted: int) -> str:
    """What the open-issues rule rests on, in words: only the parts that hold."""
    parts = []
    if escalated:
        parts.append(
            f"{counted(escalated, 'ethics answer')} {'was' if escalated == 1 else 'were'} accepted only after three "
            "attempts"
        )
    if accepted:
        parts.append(
            f"{counted(accepted, 'serious contradiction')} {'was' if accepted == 1 else 'were'} accepted with a reason"
        )
    both = " and ".join(parts)
    return f"{both[:1].upper()}{both[1:]}: {'both need' if len(parts) == 2 else 'this needs'} watching."


def _risks(principles: Sequence[str], singular: str, plural: str) -> str:
    """'the Fairness & equity risk stays' / 'the Fairness & equity and Privacy & data protection risks stay'."""
    if len(principles) > 1:
        return f"the {_names(principles)} risks {plural}"
    return f"the {_names(principles)} risk {singular}"


def _names(principles: Sequence[str]) -> str:
    labels = [rules.PRINCIPLE_LABELS[p] for p in principles]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def decide(inputs: DecisionInputs) -> GovernanceDecision:
    """Evaluate every rule of DOMAIN.md; the decision is the most severe floor among those that hold."""
    risks = dict(inputs.risks)
    residual = {p: r.band for p, r in risks.items()}
    inherent = {p: r.inherent_band for p, r in risks.items()}
    critical = sorted(p for p, band in residual.items() if band == "critical")
    high = sorted(p for p, band in residual.items() if band == "high")
    medium = sorted(p for p, band in residual.items() if band == "medium")
    inherent_critical = sorted(p for p, band in inherent.items() if band == "critical")
    inherent_high_or_worse = sorted(p for p, band in inherent.items() if band in ("high", "critical"))
    tier = inputs.tier.tier if inputs.tier else None
    findings = list(inputs.findings or [])
    high_findings = [f for f in findings if f.get("severity") in ("high", "critical")]
    unacknowledged_high = [f["key"] for f in high_findings if f["key"] not in inputs.acknowledged_findings]
    acknowledged_high = [f["key"] for f in high_findings if f["key"] in inputs.acknowledged_findings]
    formal_review = inputs.prior_review == rules.FORMAL_REVIEW

    candidates: list[tuple[bool, str, str, dict[str, Any], Decision]] = [
        (
            tier == "prohibited",
            "prohibited_practice",
            "The system would use a practice the EU AI Act prohibits, so it cannot go ahead as scoped.",
            {"eu_ai_act_tier": tier},
            "halt",
        ),
        (
            bool(critical),
            "residual_critical",
            f"Even after mitigation, {_risks(critical, 'stays', 'stay')} critical." if critical else "",
            {"critical_principles": critical},
            "halt",
        ),
        (
            len(high) >= rules.HALT_MIN_HIGH_PRINCIPLES,
            "three_or_more_residual_high",
            f"{len(high)} principles keep a high risk after mitigation ({_names(high)})." if high else "",
            {"high_principles": high},
            "halt",
        ),
        (
            residual.get(rules.SAFETY_PRINCIPLE) == "high",
            "safety_residual_high",
            "A safety risk that stays high after mitigation stops the project: people could be physically harmed.",
            {"safety_band": residual.get(rules.SAFETY_PRINCIPLE)},
            "halt",
        ),
        (
            tier == "high",
            "high_risk_tier",
            "Under the EU AI Act this is a high-risk system, which brings legal obligations a committee must "
            "plan for before it is built.",
            {"eu_ai_act_tier": tier},
            "submit_to_committee",
        ),
        (
            bool(inherent_critical),
            "inherent_critical",
            f"Before mitigation, {_risks(inherent_critical, 'is', 'are')} critical; a mitigation the team rates "
            "itself cannot clear that alone."
            if inherent_critical
            else "",
            {"inherent_critical_principles": inherent_critical},
            "submit_to_committee",
        ),
        (
            len(high) >= rules.COMMITTEE_HIGH_PRINCIPLES,
            "two_residual_high",
            f"Two or more principles keep a high risk after mitigation ({_names(high)})." if high else "",
            {"high_principles": high},
            "submit_to_committee",
        ),
        (
            not formal_review and (tier == "high" or bool(inherent_high_or_worse)),
            "no_formal_review",
            "There has been no formal ethics review, yet "
            + (
                "the system is high-risk under the EU AI Act."
                if tier == "high"
                else f"{_risks(inherent_high_or_worse, 'is', 'are')} high or critical before mitigation."
                if inherent_high_or_worse
                else ""
            ),
            {"prior_review": inputs.prior_review, "eu_ai_act_tier": tier, "inherent_high": inherent_high_or_worse},
            "submit_to_committee",
        ),
        (
            len(high) >= rules.REVISE_HIGH_PRINCIPLES,
            "residual_high",
            f"After mitigation, {_risks(high, 'stays', 'stay')} high." if high else "",
            {"high_principles": high},
            "revise",
        ),
        (
            inputs.residual_acceptable == rules.RESIDUAL_NOT_ACCEPTABLE,
            "team_does_not_accept",
            "The team itself answered that the remaining risk is not acceptable.",
            {"residual_risk_acceptable": inputs.residual_acceptable},
            "revise",
        ),
        (
            bool(unacknowledged_high),
            "unresolved_consistency_finding",
            (
                "A serious contradiction between the answers is not resolved."
                if len(unacknowledged_high) == 1
                else f"{len(unacknowledged_high)} serious contradictions between the answers are not resolved."
            ),
            {"findings": unacknowledged_high},
            "revise",
        ),
        (
            inputs.overall_feasibility == rules.FEASIBILITY_FLOOR_LEVEL,
            "data_feasibility_low",
            "The data is not good enough yet: overall data feasibility is low.",
            {"overall_feasibility": inputs.overall_feasibility},
            "revise",
        ),
        (
            bool(medium),
            "residual_medium",
            f"After mitigation, {_risks(medium, 'stays', 'stay')} medium, which needs monitoring." if medium else "",
            {"medium_principles": medium},
            "proceed_with_monitoring",
        ),
        (
            tier == "limited",
            "limited_risk_tier",
            "Under the EU AI Act the system has transparency duties (people must be told they deal with AI).",
            {"eu_ai_act_tier": tier},
            "proceed_with_monitoring",
        ),
        (
            bool(inputs.escalated_questions) or bool(acknowledged_high),
            "open_issues",
            _open_issues_text(len(inputs.escalated_questions), len(acknowledged_high)),
            {"escalated_questions": list(inputs.escalated_questions), "acknowledged_findings": acknowledged_high},
            "proceed_with_monitoring",
        ),
    ]
    held = [(key, text, data, floor) for holds, key, text, data, floor in candidates if holds]
    if not held:
        held = [("no_rule_applies", "No rule raises a concern: every risk is low after mitigation.", {}, "proceed")]
    decision: Decision = max((floor for *_, floor in held), key=rules.DECISION_ORDER.index)  # type: ignore[assignment]
    fired = [
        RuleFired(rule=key, description=text, inputs=data, outcome=floor, decisive=floor == decision)
        for key, text, data, floor in held
    ]
    tier_result = inputs.tier
    return GovernanceDecision(
        decision=decision,
        requires_committee_review=decision in rules.COMMITTEE_DECISIONS,
        rules_fired=fired,
        floors={rule.rule: rule.outcome for rule in fired},
        residual_bands=residual,
        inherent_bands=inherent,
        credited_effectiveness={p: r.credited_percent for p, r in risks.items()},
        eu_ai_act_tier=tier,
        eu_ai_act_reasons=list(tier_result.reasons) if tier_result else [],
        eu_ai_act_obligations=list(tier_result.obligations) if tier_result else [],
        overall_feasibility=inputs.overall_feasibility,  # type: ignore[arg-type]
        findings_considered=inputs.findings is not None,
    )


# --- the named step: the decision for a session's stage-5 report ---------------------------------------------
class StageFiveReport(Protocol):
    """What the decision reads of a stage-5 report (``deliverables.EthicalRiskReport``)."""

    principles: Any
    regulatory: Any
    self_assessment: Any
    acceptance: Any

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any: ...


def tier_of(report: StageFiveReport) -> TierResult:
    return eu_ai_act_tier(report.regulatory.eu_ai_act.model_dump())


def governance_decide(
    *,
    report: StageFiveReport,
    overall_feasibility: str | None,
    escalated_questions: Sequence[str] = (),
    findings: Sequence[Mapping[str, Any]] | None = None,
    acknowledged_findings: Iterable[str] = (),
) -> GovernanceDecision | None:
    """The governance decision for a stage-5 report, or ``None`` while a principle still lacks its risk.

    Taken where stage 5 is evaluated (no consistency findings yet: the live preview and the stored deliverable)
    and again where the charter is built, with the findings, their acknowledgements and the escalated answers."""
    risks = {name: getattr(report.principles, name).residual_risk for name in rules.PRINCIPLES}
    if any(risk is None for risk in risks.values()):
        return None
    return decide(
        DecisionInputs(
            risks=risks,
            tier=tier_of(report),
            prior_review=report.self_assessment.prior_review,
            residual_acceptable=report.acceptance.residual_risk_acceptable,
            overall_feasibility=overall_feasibility,
            escalated_questions=tuple(escalated_questions),
            findings=findings,
            acknowledged_findings=frozenset(acknowledged_findings),
        )
    )


def report_with_decision[R: StageFiveReport](report: R, *, overall_feasibility: str | None, **context: Any) -> R:
    """The report carrying its decision (``context``: the charter's findings and escalations)."""
    decision = governance_decide(report=report, overall_feasibility=overall_feasibility, **context)
    copy: R = report.model_copy(update={"governance_decision": decision})
    return copy
