"""Residual risk per ethical principle and the advisory governance decision (DOMAIN.md "Governance decision").

Pure functions over typed inputs; every rule that fires is recorded with the inputs it used, so the decision
can be traced to the rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from sessions_app.interview import rules


class StageFiveReport(Protocol):
    """What the decision reads of a stage-5 report (``deliverables.EthicalRiskReport``): each principle's block."""

    principles: Any

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any: ...


RiskLevel = Literal["low", "medium", "high", "critical"]
Band = Literal["low", "medium", "high", "critical"]
Decision = Literal["proceed", "proceed_with_monitoring", "revise", "submit_to_committee", "halt"]
Feasibility = Literal["high", "medium", "low"]


class ResidualRisk(BaseModel):
    """One principle's residual risk: the inputs, the conversion of the percentage, the score and its band."""

    model_config = ConfigDict(frozen=True)

    severity: RiskLevel
    likelihood: RiskLevel
    effectiveness_percent: float = Field(ge=0, le=100)
    effectiveness_applied: float = Field(description="min(cap, percent / 100): the fraction used in the formula")
    score: float
    band: Band


class RuleFired(BaseModel):
    """A decision rule whose condition held, with the inputs it looked at."""

    model_config = ConfigDict(frozen=True)

    rule: str
    description: str
    inputs: dict[str, Any]
    outcome: Decision
    decisive: bool = Field(description="True for the rule that set the decision (first match, or the floor)")


class GovernanceDecision(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: Decision
    requires_committee_review: bool
    advisory: Literal[True] = True
    rules_fired: list[RuleFired]
    residual_bands: dict[str, Band]
    overall_feasibility: Feasibility | None = None


def effectiveness_fraction(percent: float) -> float:
    """The stored answer is a percentage 0–100; the formula uses a fraction capped at `EFFECTIVENESS_CAP`."""
    if not 0 <= percent <= rules.EFFECTIVENESS_PERCENT_SCALE:
        raise ValueError(f"Mitigation effectiveness must be a percentage from 0 to 100; got {percent!r}.")
    return min(rules.EFFECTIVENESS_CAP, percent / rules.EFFECTIVENESS_PERCENT_SCALE)


def residual_band(score: float) -> Band:
    for bound, band in rules.RESIDUAL_RISK_BANDS:
        if score >= bound:
            return band  # type: ignore[return-value]
    return rules.RESIDUAL_RISK_FLOOR_BAND  # type: ignore[return-value]


def residual_risk(severity: str, likelihood: str, effectiveness_percent: float) -> ResidualRisk:
    """`severity × likelihood × (1 − min(0.95, effectiveness_percent / 100))`, low=1 … critical=4, banded."""
    for name, level in (("severity", severity), ("likelihood", likelihood)):
        if level not in rules.RISK_LEVEL_VALUES:
            raise ValueError(f"{name} must be one of {', '.join(rules.RISK_LEVEL_VALUES)}; got {level!r}.")
    applied = effectiveness_fraction(effectiveness_percent)
    raw = rules.RISK_LEVEL_VALUES[severity] * rules.RISK_LEVEL_VALUES[likelihood] * (1 - applied)
    score = round(raw, rules.RESIDUAL_RISK_DECIMALS)
    return ResidualRisk(
        severity=severity,  # type: ignore[arg-type]  # validated against RISK_LEVEL_VALUES above
        likelihood=likelihood,  # type: ignore[arg-type]
        effectiveness_percent=effectiveness_percent,
        effectiveness_applied=applied,
        score=score,
        band=residual_band(score),
    )


def decide(residuals: Mapping[str, ResidualRisk | str], overall_feasibility: str | None = None) -> GovernanceDecision:
    """The governance decision over the principles' residual risks (a `ResidualRisk` or its band).

    Rules 1–7 are all evaluated; every one whose condition holds is recorded, and the first (in order) decides.
    Then the data-feasibility floor: overall feasibility "low" raises proceed / proceed_with_monitoring to revise.
    """
    bands: dict[str, Band] = {
        principle: (risk if isinstance(risk, str) else risk.band)  # type: ignore[misc]
        for principle, risk in residuals.items()
    }
    unknown = sorted(set(bands.values()) - set(rules.RISK_LEVEL_VALUES))
    if unknown:
        raise ValueError(f"Unknown residual-risk band(s): {', '.join(unknown)}.")
    critical = sorted(p for p, band in bands.items() if band == "critical")
    high = sorted(p for p, band in bands.items() if band == "high")
    medium = sorted(p for p, band in bands.items() if band == "medium")
    safety_band = bands.get(rules.SAFETY_PRINCIPLE)

    candidates: list[tuple[bool, str, str, dict[str, Any], Decision]] = [
        (
            bool(critical),
            "1_any_critical",
            "A principle's residual risk is critical.",
            {"critical_principles": critical},
            "halt",
        ),
        (
            len(high) >= rules.HALT_MIN_HIGH_PRINCIPLES,
            "2_three_or_more_high",
            f"{rules.HALT_MIN_HIGH_PRINCIPLES} or more principles have high residual risk.",
            {"high_principles": high, "count": len(high)},
            "halt",
        ),
        (
            safety_band == "high",
            "3_safety_high",
            "Safety and resilience has high residual risk.",
            {"safety_band": safety_band},
            "halt",
        ),
        (
            len(high) == rules.COMMITTEE_HIGH_PRINCIPLES,
            "4_two_high",
            f"{rules.COMMITTEE_HIGH_PRINCIPLES} principles have high residual risk.",
            {"high_principles": high, "count": len(high)},
            "submit_to_committee",
        ),
        (
            len(high) == rules.REVISE_HIGH_PRINCIPLES,
            "5_one_high",
            "One principle has high residual risk.",
            {"high_principles": high, "count": len(high)},
            "revise",
        ),
        (
            bool(medium),
            "6_any_medium",
            "A principle has medium residual risk.",
            {"medium_principles": medium},
            "proceed_with_monitoring",
        ),
        (
            True,
            "7_otherwise",
            "No principle's residual risk is above low.",
            {"bands": dict(sorted(bands.items()))},
            "proceed",
        ),
    ]
    fired: list[RuleFired] = []
    decision: Decision | None = None
    for holds, rule, description, inputs, outcome in candidates:
        if not holds or (rule == "7_otherwise" and decision is not None):
            continue  # "otherwise" only holds when nothing above did
        fired.append(
            RuleFired(rule=rule, description=description, inputs=inputs, outcome=outcome, decisive=decision is None)
        )
        decision = decision or outcome
    assert decision is not None  # rule 7 always holds when nothing else did

    if overall_feasibility == rules.FEASIBILITY_FLOOR_LEVEL and decision in rules.FEASIBILITY_FLOORED_DECISIONS:
        fired = [rule.model_copy(update={"decisive": False}) for rule in fired]
        fired.append(
            RuleFired(
                rule="data_feasibility_floor",
                description="Overall data feasibility is low, which raises a proceed decision to revise.",
                inputs={"overall_feasibility": overall_feasibility, "decision_before_floor": decision},
                outcome=rules.FEASIBILITY_FLOOR_DECISION,
                decisive=True,
            )
        )  # type: ignore[arg-type]
        decision = rules.FEASIBILITY_FLOOR_DECISION  # type: ignore[assignment]

    return GovernanceDecision(
        decision=decision,
        requires_committee_review=decision in rules.COMMITTEE_DECISIONS,
        rules_fired=fired,
        residual_bands=bands,
        overall_feasibility=overall_feasibility,  # type: ignore[arg-type]
    )


def governance_decide(*, report: StageFiveReport, overall_feasibility: str | None) -> GovernanceDecision | None:
    """The governance decision for a stage-5 report (DOMAIN.md "Governance decision"), or ``None`` while a
    principle still lacks a residual risk. Taken where stage 5 completes and where the charter is built."""
    residuals = {name: getattr(report.principles, name).residual_risk for name in rules.PRINCIPLES}
    if any(risk is None for risk in residuals.values()):
        return None
    return decide(residuals, overall_feasibility)  # type: ignore[arg-type]


def report_with_decision[R: StageFiveReport](report: R, *, overall_feasibility: str | None) -> R:
    """The report carrying its decision, as stage 5 stores it."""
    decision = governance_decide(report=report, overall_feasibility=overall_feasibility)
    copy: R = report.model_copy(update={"governance_decision": decision})
    return copy
