"""The five stage deliverables as pydantic v2 models, with the fields DOMAIN.md names and the bank's `feeds`
paths use. Stored with `model_dump(mode="json")`; `schema_version` changes when a field changes meaning.

Missing answers stay None / empty: nothing here has a placeholder default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sessions_app.interview.governance import Feasibility, GovernanceDecision, ResidualRisk
from sessions_app.interview.regulatory import TierResult

SCHEMA_VERSION = 1

OutputType = Literal["binary", "categorical", "continuous"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quantity(_Model):
    """A number with the unit the user gave (baseline 2.1 %, 8 days, 12000 EUR)."""

    value: float
    unit: str | None = None


# --- Stage 1 --------------------------------------------------------------------------------------------------


class BusinessObjective(_Model):
    problem: str | None = None
    why_now: str | None = None
    success_measure: str | None = None


class AINecessityJustification(_Model):
    alternatives_considered: str | None = None
    rules_sufficient: str | None = None  # yes / partly / no
    why_ml: str | None = None
    learnable_signal: str | None = None


class InputFeature(_Model):
    name: str
    source: str | None = None
    available_in_production: bool | None = None  # None: the user is not sure, or has not said
    availability_note: str | None = None  # the user's reason, on features named as (possibly) unavailable


class TargetOutput(_Model):
    name: str | None = None
    type: OutputType | None = None
    type_source: Literal["structured", "keywords"] | None = None
    description: str | None = None


class Scope(_Model):
    in_scope: list[str] = Field(default_factory=list)
    out_of_scope: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    constraints: str | None = None
    excluded_edge_cases: list[str] = Field(default_factory=list)


class ProblemStatement(_Model):
    schema_version: int = SCHEMA_VERSION
    business_objective: BusinessObjective = Field(default_factory=BusinessObjective)
    ai_necessity_justification: AINecessityJustification = Field(default_factory=AINecessityJustification)
    input_features: list[InputFeature] = Field(default_factory=list)
    target_output: TargetOutput = Field(default_factory=TargetOutput)
    ml_archetype: str | None = None
    scope: Scope = Field(default_factory=Scope)


# --- Stage 2 --------------------------------------------------------------------------------------------------


class BusinessKPI(_Model):
    item: int
    name: str | None = None
    baseline: Quantity | None = None
    target: Quantity | None = None
    timeframe: Quantity | None = None  # weeks / months / quarters
    measurement_method: str | None = None


class ModelMetric(_Model):
    name: str
    threshold: float | None = None
    # The threshold is a floor (recall ≥ 0.7) or a ceiling (MAE ≤ 12, latency ≤ 1 minute); see builders._metrics.
    direction: Literal["at_least", "at_most"] = "at_least"
    measurement_method: str | None = None


class CausalPathway(_Model):
    """Model metric(s) → one KPI. `link` says how the KPI was tied to the mechanism (see builders)."""

    kpi: str | None = None
    kpi_item: int
    metrics: list[str] = Field(default_factory=list)
    mechanism: str | None = None
    assumptions: list[str] = Field(default_factory=list)
    failure_modes: list[str] = Field(default_factory=list)
    link: Literal["structured", "named_in_mechanism", "only_kpi", "chosen"]
    unmatched_metrics: list[str] = Field(default_factory=list)  # chosen names (S2Q15) that are not in S2Q6


class ActionabilityWindow(_Model):
    time_to_act: Quantity | None = None
    prediction_latency: Quantity | None = None
    margin: Quantity | None = None  # window − latency, in the smaller of the two units
    margin_seconds: float | None = None
    sufficient: bool | None = None  # margin > 0 (derived, never asked)
    team_assessment: str | None = None  # S2Q14: yes / tight / no


class ValidationPlan(_Model):
    method: Literal["ab_test", "before_after"] | None = None
    method_description: str | None = None
    timeline: Quantity | None = None
    success_criteria: list[str] = Field(default_factory=list)


class MetricAlignmentMatrix(_Model):
    schema_version: int = SCHEMA_VERSION
    business_kpis: list[BusinessKPI] = Field(default_factory=list)
    model_metrics: list[ModelMetric] = Field(default_factory=list)
    causal_pathways: list[CausalPathway] = Field(default_factory=list)
    actionability_window: ActionabilityWindow = Field(default_factory=ActionabilityWindow)
    validation_plan: ValidationPlan = Field(default_factory=ValidationPlan)


# --- Stage 3 --------------------------------------------------------------------------------------------------


class DataSource(_Model):
    name: str
    kind: str | None = None  # database / api / file / stream, or what the user wrote
    location: str | None = None
    size_and_frequency: str | None = None
    access_method: str | None = None
    covers_features: list[str] = Field(default_factory=list)


class QualityScores(_Model):
    accuracy: int | None = None
    consistency: int | None = None
    completeness: int | None = None
    timeliness: int | None = None
    validity: int | None = None
    integrity: int | None = None
    notes: dict[str, str] = Field(default_factory=dict)


class LabelingStrategy(_Model):
    needed: bool | None = None
    label_count: float | None = None
    available_count: float | None = None  # labelled examples that exist today (S3Q21)
    required_count: float | None = None  # labelled examples training and evaluation need (S3Q22)
    shortfall: float | None = None  # required − (available + new labels), when both counts are given
    method: str | None = None
    cost: Quantity | None = None
    timeline_weeks: float | None = None
    qa_process: str | None = None


class FairGap(_Model):
    principle: str
    rating: str | None = None  # partial / none, or None when unanswered


class FairAssessment(_Model):
    findable: str | None = None
    accessible: str | None = None
    interoperable: str | None = None
    reusable: str | None = None
    gaps: list[FairGap] = Field(default_factory=list)


class DataQualityScorecard(_Model):
    schema_version: int = SCHEMA_VERSION
    data_sources: list[DataSource] = Field(default_factory=list)
    quality_scores: QualityScores = Field(default_factory=QualityScores)
    labeling_strategy: LabelingStrategy = Field(default_factory=LabelingStrategy)
    fair: FairAssessment = Field(default_factory=FairAssessment)
    infrastructure_notes: str | None = None
    overall_feasibility: Feasibility | None = None
    uncovered_features: list[str] = Field(default_factory=list)  # stage-1 features no source covers
    # What S3Q2 / S3Q3 say of no single source (prose, or an "all sources:" line), and line names no source has.
    all_sources_size_and_frequency: str | None = None
    all_sources_access_method: str | None = None
    unknown_sources_size_and_frequency: list[str] = Field(default_factory=list)
    unknown_sources_access_method: list[str] = Field(default_factory=list)


# --- Stage 4 --------------------------------------------------------------------------------------------------


class Persona(_Model):
    item: int
    role: str | None = None
    goals: str | None = None
    pain_points: list[str] = Field(default_factory=list)
    technical_proficiency: str | None = None
    usage_frequency: str | None = None
    decision_authority: str | None = None
    research_evidence: str | None = None


class JourneyMap(_Model):
    before: str | None = None
    during: str | None = None
    after: str | None = None
    touchpoints: list[str] = Field(default_factory=list)
    decision_points: list[str] = Field(default_factory=list)
    failure_risks: list[str] = Field(default_factory=list)


class ExplainabilityRequirements(_Model):
    level: Literal["high", "medium", "low"] | None = None
    level_reasons: list[str] = Field(default_factory=list)
    stakes: str | None = None
    regulations: list[str] = Field(default_factory=list)
    audience: str | None = None
    scope: str | None = None  # global / local / both
    methods: list[str] = Field(default_factory=list)


class FeedbackMechanism(_Model):
    kind: str | None = None  # explicit / implicit / both
    collection: str | None = None
    review_cadence: str | None = None
    retraining_path: str | None = None


class UserContext(_Model):
    schema_version: int = SCHEMA_VERSION
    personas: list[Persona] = Field(default_factory=list)
    journey_map: JourneyMap = Field(default_factory=JourneyMap)
    explainability: ExplainabilityRequirements = Field(default_factory=ExplainabilityRequirements)
    feedback_mechanisms: list[FeedbackMechanism] = Field(default_factory=list)
    training_needs: str | None = None


# --- Stage 5 --------------------------------------------------------------------------------------------------


class SelfAssessment(_Model):
    prior_review: str | None = None
    known_risks: str | None = None
    affected_groups: list[str] = Field(default_factory=list)


class PrincipleAssessment(_Model):
    risk: str | None = None
    severity: str | None = None
    likelihood: str | None = None
    mitigation: str | None = None
    mitigation_effectiveness: float | None = None  # percent 0–100, as answered
    mitigation_status: str | None = None  # planned / implemented / verified: caps the credit
    residual_risk: ResidualRisk | None = None  # inherent, credited and residual risk


class Principles(_Model):
    fairness: PrincipleAssessment = Field(default_factory=PrincipleAssessment)
    privacy: PrincipleAssessment = Field(default_factory=PrincipleAssessment)
    transparency: PrincipleAssessment = Field(default_factory=PrincipleAssessment)
    safety: PrincipleAssessment = Field(default_factory=PrincipleAssessment)
    human_agency: PrincipleAssessment = Field(default_factory=PrincipleAssessment)


class Acceptance(_Model):
    residual_risk_acceptable: str | None = None  # yes / with_conditions / no
    rationale: str | None = None


class Monitoring(_Model):
    plan: str | None = None
    metrics: list[str] = Field(default_factory=list)
    audit_frequency: str | None = None
    escalation_triggers: list[str] = Field(default_factory=list)


class EUAIAct(_Model):
    """The six classifying answers (choice values: sessions_app/interview/regulatory.py)."""

    prohibited_practice: str | None = None
    annex_i_product: str | None = None
    annex_iii_area: str | None = None
    art6_3_exemption: str | None = None
    profiling: str | None = None
    transparency: str | None = None


class Regulatory(_Model):
    eu_ai_act: EUAIAct = Field(default_factory=EUAIAct)
    tier: TierResult | None = None  # computed from eu_ai_act once it is answered


class EthicalRiskReport(_Model):
    schema_version: int = SCHEMA_VERSION
    self_assessment: SelfAssessment = Field(default_factory=SelfAssessment)
    regulatory: Regulatory = Field(default_factory=Regulatory)
    principles: Principles = Field(default_factory=Principles)
    acceptance: Acceptance = Field(default_factory=Acceptance)
    monitoring: Monitoring = Field(default_factory=Monitoring)
    governance_decision: GovernanceDecision | None = None  # None until every principle has a residual risk


Deliverable = ProblemStatement | MetricAlignmentMatrix | DataQualityScorecard | UserContext | EthicalRiskReport
