"""Offline charter narrative: templated prose built only from the data the caller passes in ``context``.

Keys read (all optional): ``project_name``, ``business_objective``, ``ml_archetype``, ``overall_feasibility``,
``governance_decision``, ``decision_reasons`` (list of str), ``kpis`` (list of dicts with ``name``,
``baseline``, ``target``, ``timeframe``, or str), ``risks`` (list of dicts with ``principle``, ``risk``,
``residual_band``, or str), ``success_factors`` (list of str). Nothing is invented: a missing value is
left out or named as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llm.schemas import CharterNarrative

DECISION_WORDS = {
    "proceed": "proceed",
    "proceed_with_monitoring": "proceed with monitoring",
    "revise": "revise the plan before proceeding",
    "submit_to_committee": "submit the project to the ethics committee",
    "halt": "halt the project",
}
MAX_LISTED = 5


def _mid_sentence(name: str) -> str:
    """A name as it reads inside a sentence: 'Monthly churn rate' → 'monthly churn rate'; 'NPS', 'AUC' stay."""
    first = name.split(" ", 1)[0]
    return name[:1].lower() + name[1:] if first[1:2].islower() and first[1:] == first[1:].lower() else name


def _kpi_phrase(kpi: Any) -> str:
    if not isinstance(kpi, Mapping):
        return _mid_sentence(str(kpi))
    phrase = _mid_sentence(str(kpi.get("name", "KPI")))
    if kpi.get("baseline") not in (None, "") and kpi.get("target") not in (None, ""):
        phrase += f" from {kpi['baseline']} to {kpi['target']}"
    if kpi.get("timeframe"):
        phrase += f" within {kpi['timeframe']}"
    return phrase


def _risk_phrase(risk: Any) -> str:
    if not isinstance(risk, Mapping):
        return str(risk)
    phrase = f"{risk.get('principle', 'Risk')}: {risk.get('risk', 'not described')}"
    if risk.get("residual_band"):
        phrase += f" (residual risk {risk['residual_band']})"
    return phrase


def charter_narrative(context: Mapping[str, Any]) -> CharterNarrative:
    project = str(context.get("project_name") or "This project")
    objective = str(context.get("business_objective") or "").strip().rstrip(".")
    archetype = str(context.get("ml_archetype") or "").replace("_", " ")
    feasibility = str(context.get("overall_feasibility") or "")
    decision = str(context.get("governance_decision") or "")
    kpis = [_kpi_phrase(k) for k in context.get("kpis") or []][:MAX_LISTED]
    risks = [_risk_phrase(r) for r in context.get("risks") or []][:MAX_LISTED]
    reasons = [str(r) for r in context.get("decision_reasons") or []]

    sentences = [f"{project} aims to {objective[:1].lower()}{objective[1:]}." if objective else f"{project}."]
    if archetype:
        sentences.append(f"It is framed as a {archetype} problem.")
    if kpis:
        sentences.append(f"Success is measured by {'; '.join(kpis)}.")
    if feasibility:
        sentences.append(f"Data feasibility is assessed as {feasibility}.")
    if decision:
        sentences.append(f"The advisory governance decision is to {DECISION_WORDS.get(decision, decision)}.")

    factors = [str(f) for f in context.get("success_factors") or []][:MAX_LISTED] or [f"Reaching {k}" for k in kpis[:3]]
    rationale = " ".join(f"{reason.rstrip('.')}." for reason in reasons) if reasons else ""
    return CharterNarrative(
        executive_summary=" ".join(sentences),
        critical_success_factors=factors,
        major_risks=risks,
        decision_rationale=rationale,
    )
