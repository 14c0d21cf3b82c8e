"""Stage gates (DOMAIN.md "Gates and checkpoints" and each stage's gate rules).

`run_gate` is pure: it reads the answers and the stage's deliverable and reports what is missing, what blocks
(cannot be acknowledged, the answers must change), and what concerns the user (can be acknowledged with a
reason). Every rule evaluated is listed in `checks`, so a result can be explained.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field

from sessions_app.interview import rules
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.deliverables import (
    BusinessKPI,
    DataQualityScorecard,
    EthicalRiskReport,
    MetricAlignmentMatrix,
    ProblemStatement,
    UserContext,
)
from sessions_app.interview.question_bank import stage as stage_definition


class MissingAnswer(BaseModel):
    question_id: str
    item: int
    text: str


class Blocker(BaseModel):
    key: str
    message: str


class Concern(BaseModel):
    key: str
    message: str
    acknowledged: bool


class RuleCheck(BaseModel):
    key: str
    passed: bool
    kind: Literal["blocker", "concern", "missing"]  # "missing": the failure is already listed as a missing answer
    message: str


class SmartCheck(BaseModel):
    """SMART per KPI: specific (named in enough words), measurable (baseline, target and method), achievable
    (target differs from the baseline and is within 10× of it), relevant (end of a causal pathway), time-bound."""

    kpi_item: int
    kpi: str | None
    specific: bool
    measurable: bool
    achievable: bool
    relevant: bool
    time_bound: bool
    passed: bool
    notes: list[str] = Field(default_factory=list)


class GateResult(BaseModel):
    stage: int
    passed: bool
    missing: list[MissingAnswer] = Field(default_factory=list)
    blockers: list[Blocker] = Field(default_factory=list)
    concerns: list[Concern] = Field(default_factory=list)
    smart_checks: list[SmartCheck] = Field(default_factory=list)
    completeness: float = Field(ge=0, le=1)
    checks: list[RuleCheck] = Field(default_factory=list)


def slug(text: str) -> str:
    """A stable key fragment from user text ('Outage minutes on the line' → 'outage-minutes-on-the-line')."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "item"


class Gate:
    def __init__(self, number: int, answers: AnswerSet, acknowledged: set[str]) -> None:
        self.number = number
        self.answers = answers
        self.acknowledged = acknowledged
        self.missing: list[MissingAnswer] = []
        self.required_total = 0
        self.checks: list[RuleCheck] = []
        self.blockers: list[Blocker] = []
        self.concerns: list[Concern] = []
        self.smart_checks: list[SmartCheck] = []

    def rule(
        self, key: str, passed: bool, message: str, kind: Literal["blocker", "concern", "missing"] = "blocker"
    ) -> bool:
        """Record a rule; on failure add a blocker or a concern. `message` explains the failure and the fix."""
        self.checks.append(RuleCheck(key=key, passed=passed, kind=kind, message=message))
        if not passed and kind == "blocker":
            self.blockers.append(Blocker(key=key, message=message))
        elif not passed and kind == "concern":
            self.concerns.append(Concern(key=key, message=message, acknowledged=key in self.acknowledged))
        return passed

    def find_missing(self) -> None:
        definition = stage_definition(self.number)
        view = self.answers.condition_view()
        repeatable = {group.key for group in definition.groups if group.repeatable}
        for question in definition.required_questions(view):
            if question.group in repeatable:
                group_ids = {q.id for q in definition.questions_in_group(question.group)}
                items = sorted({i for qid in group_ids for i in self.answers.items(qid)}) or [0]
            else:
                items = [0]
            for item in items:
                self.required_total += 1
                if not self.answers.has_final(question.id, item):
                    self.missing.append(MissingAnswer(question_id=question.id, item=item, text=question.text))

    def result(self) -> GateResult:
        satisfied_rules = sum(1 for check in self.checks if check.passed) + sum(
            1 for concern in self.concerns if concern.acknowledged
        )
        total = self.required_total + len(self.checks)
        satisfied = (self.required_total - len(self.missing)) + satisfied_rules
        passed = not self.missing and not self.blockers and all(c.acknowledged for c in self.concerns)
        return GateResult(
            stage=self.number,
            passed=passed,
            missing=self.missing,
            blockers=self.blockers,
            concerns=self.concerns,
            smart_checks=self.smart_checks,
            completeness=round(satisfied / total, 4) if total else 1.0,
            checks=self.checks,
        )


# --- Stage rules ------------------------------------------------------------------------------------------------


def stage_1_rules(gate: Gate, deliverable: ProblemStatement) -> None:
    if gate.answers.plain("S1Q8") is not None:
        gate.rule(
            "s1.features.at_least_one",
            bool(deliverable.input_features),
            "List at least one input feature (S1Q8), one per line as 'feature — source system'.",
        )
    for feature in deliverable.input_features:
        if feature.available_in_production is False:
            gate.rule(
                f"s1.feature_unavailable.{slug(feature.name)}",
                False,
                f"'{feature.name}' will not be available when a prediction is made in production"
                f"{': ' + feature.availability_note.rstrip('.') if feature.availability_note else ''}. Drop or replace "
                "it, or acknowledge how the model will cope without it.",
                kind="concern",
            )
        elif feature.available_in_production is None and gate.answers.plain("S1Q9") == "unsure":
            gate.rule(
                f"s1.feature_availability_unknown.{slug(feature.name)}",
                False,
                f"It is not yet known whether '{feature.name}' will be available in production. Confirm it "
                "with the system's owner, or acknowledge the risk.",
                kind="concern",
            )
    if gate.answers.plain("S1Q9") in ("no", "unsure") and not any(
        f.available_in_production is not True for f in deliverable.input_features
    ):
        detail = (gate.answers.value("S1Q9") or {}).get("detail") or ""
        gate.rule(
            "s1.unavailable_features_unmatched",
            False,
            f"You said some features may not be available ({detail}), but none of the listed features could "
            "be matched to that. Name them exactly as in S1Q8, or acknowledge.",
            kind="concern",
        )

    archetype, output_type = deliverable.ml_archetype, deliverable.target_output.type
    expected = rules.ARCHETYPE_OUTPUT_TYPES.get(archetype or "")
    if expected is not None and output_type is not None:
        gate.rule(
            "s1.archetype_output_mismatch",
            output_type in expected,
            f"The ML task type is {archetype}, which predicts {' or '.join(sorted(expected))} outputs, but the "
            f"described output reads as {output_type}. Check the task type (S1Q11) or the output (S1Q10).",
            kind="concern",
        )
    elif expected is not None and deliverable.target_output.description:
        gate.rule(
            "s1.output_type_unknown",
            False,
            "The kind of output (yes/no, category or number) could not be read from S1Q10, so it cannot be "
            "checked against the ML task type. Say what form the output takes, or acknowledge.",
            kind="concern",
        )


def _ratio_ok(baseline: float, target: float) -> bool:
    if (baseline > 0) != (target > 0):
        return False
    ratio = abs(target) / abs(baseline)
    return 1 / rules.KPI_TARGET_MAX_RATIO <= ratio <= rules.KPI_TARGET_MAX_RATIO


def _kpi_rules(gate: Gate, kpi: BusinessKPI, has_pathway: bool, method: str | None) -> None:
    prefix = f"s2.kpi{kpi.item}"
    label = kpi.name or f"KPI {kpi.item + 1}"
    notes: list[str] = []
    gate.rule(
        f"{prefix}.baseline_target_timeframe",
        kpi.baseline is not None and kpi.target is not None and kpi.timeframe is not None,
        f"{label}: give the baseline, the target and the timeframe.",
        kind="missing",
    )
    achievable = False
    if kpi.baseline is not None and kpi.target is not None:
        base, target = kpi.baseline.value, kpi.target.value
        differs = gate.rule(
            f"{prefix}.target_differs",
            target != base,
            f"{label}: the target equals the baseline ({base:g}); set the value the project should reach.",
        )
        if base == 0:
            gate.rule(
                f"{prefix}.zero_baseline",
                False,
                f"{label}: the baseline is 0, so the {rules.KPI_TARGET_MAX_RATIO:g}× plausibility check cannot be "
                "applied. Check the baseline's unit, or acknowledge.",
                kind="concern",
            )
            within = True
        else:
            within = gate.rule(
                f"{prefix}.target_within_10x",
                _ratio_ok(base, target),
                f"{label}: the target ({target:g}) is not within {rules.KPI_TARGET_MAX_RATIO:g}× of "
                f"the baseline ({base:g}); a unit is probably mixed up. Use the same unit for both.",
            )
        achievable = differs and within
        if not achievable:
            ratio = f"{rules.KPI_TARGET_MAX_RATIO:g}×"
            notes.append(f"the target must differ from the baseline and stay within {ratio} of it")
        if kpi.baseline.unit and kpi.target.unit and kpi.baseline.unit.lower() != kpi.target.unit.lower():
            gate.rule(
                f"{prefix}.unit_mismatch",
                False,
                f"{label}: the baseline is in '{kpi.baseline.unit}' but the target in '{kpi.target.unit}'. "
                "Use one unit, or acknowledge why they differ.",
                kind="concern",
            )
    gate.rule(
        f"{prefix}.causal_pathway",
        has_pathway,
        f"{label} is not the end of any causal pathway: name it in your answer to S2Q9 (how better model "
        "performance moves each KPI), with the metric that drives it.",
    )

    specific = bool(kpi.name) and len((kpi.name or "").split()) >= rules.KPI_NAME_MIN_WORDS
    if not specific:
        notes.append(f"name the KPI in at least {rules.KPI_NAME_MIN_WORDS} words, with its definition")
    measurable = kpi.baseline is not None and kpi.target is not None and bool(kpi.measurement_method or method)
    if not measurable:
        notes.append("give a baseline, a target and how the KPI is measured")
    if not has_pathway:
        notes.append("link the KPI to a model metric through a causal pathway")
    time_bound = kpi.timeframe is not None
    if not time_bound:
        notes.append("give the timeframe")
    gate.smart_checks.append(
        SmartCheck(
            kpi_item=kpi.item,
            kpi=kpi.name,
            specific=specific,
            measurable=measurable,
            achievable=achievable,
            relevant=has_pathway,
            time_bound=time_bound,
            passed=specific and measurable and achievable and has_pathway and time_bound,
            notes=notes,
        )
    )


def stage_2_rules(gate: Gate, deliverable: MetricAlignmentMatrix) -> None:
    ends = {pathway.kpi_item for pathway in deliverable.causal_pathways}
    for kpi in deliverable.business_kpis:
        _kpi_rules(gate, kpi, kpi.item in ends, None)
    for metric in deliverable.model_metrics:
        if metric.threshold is None:
            gate.rule(
                f"s2.metric_threshold.{slug(metric.name)}",
                False,
                f"The metric '{metric.name}' has no threshold in S2Q7. Add 'metric: value', or acknowledge.",
                kind="concern",
            )
    window = deliverable.actionability_window
    if window.sufficient is not None:
        margin = f"{window.margin.value:g} {window.margin.unit}" if window.margin else "unknown"
        gate.rule(
            "s2.actionability_margin",
            window.sufficient,
            f"The time to act minus the prediction delay leaves {margin}: predictions arrive too late to "
            "act on. Shorten the delay, or acknowledge.",
            kind="concern",
        )
    if window.team_assessment == "no":
        gate.rule(
            "s2.actionability_team_says_no",
            False,
            "You said the team cannot act in time on a prediction (S2Q14). Say how that will change, or acknowledge.",
            kind="concern",
        )


def stage_3_rules(gate: Gate, deliverable: DataQualityScorecard) -> None:
    scores = deliverable.quality_scores
    for dimension in rules.QUALITY_DIMENSIONS:
        score = getattr(scores, dimension)
        if score is None:
            continue
        if gate.rule(
            f"s3.quality.{dimension}.blocks",
            score >= rules.QUALITY_BLOCKER_BELOW,
            f"{dimension.capitalize()} is scored {score}/10, below {rules.QUALITY_BLOCKER_BELOW}: the data "
            "cannot support the project yet. Improve the data (or re-score it after fixing) to pass.",
        ):
            gate.rule(
                f"s3.quality.{dimension}.low",
                score >= rules.QUALITY_CONCERN_BELOW,
                f"{dimension.capitalize()} is scored {score}/10, below {rules.QUALITY_CONCERN_BELOW}. Plan "
                "how to improve it, or acknowledge the risk.",
                kind="concern",
            )
    labeling = deliverable.labeling_strategy
    if labeling.needed:
        gate.rule(
            "s3.labeling.budget",
            labeling.cost is not None and labeling.cost.value > 0,
            "Labels are needed, so the labelling budget (S3Q13) must be more than 0.",
            kind="blocker" if labeling.cost is not None else "missing",
        )
        gate.rule(
            "s3.labeling.timeline",
            labeling.timeline_weeks is not None and labeling.timeline_weeks > 0,
            "Labels are needed, so give the labelling timeline in weeks (S3Q14), more than 0.",
            kind="blocker" if labeling.timeline_weeks is not None else "missing",
        )
        gate.rule(
            "s3.labeling.qa",
            bool(labeling.qa_process),
            "Labels are needed, so describe how label quality is checked (S3Q15).",
            kind="missing",
        )
        if labeling.method == "none":
            gate.rule(
                "s3.labeling.method_none",
                False,
                f"{labeling.label_count:g} labels are needed, but S3Q12 says no labelling is needed. Say who "
                "will label, or acknowledge.",
                kind="concern",
            )
    _per_source_rules(gate, deliverable)
    for feature in deliverable.uncovered_features:
        gate.rule(
            f"s3.feature_uncovered.{slug(feature)}",
            False,
            f"The stage-1 feature '{feature}' is covered by no data source (S3Q4). Add the source or map the "
            "feature, or acknowledge.",
            kind="concern",
        )


_PER_SOURCE = (
    ("size_and_frequency", "S3Q2", "how large it is and how often it is updated"),
    ("access_method", "S3Q3", "how the project will get access to it"),
)


def _per_source_rules(gate: Gate, deliverable: DataQualityScorecard) -> None:
    """S3Q2 and S3Q3 are answered one line per source ("source: text"): a source the lines leave out, or a
    line naming no listed source, is a concern (prose that names no source describes them all)."""
    sources = deliverable.data_sources
    for field, qid, what in _PER_SOURCE:
        described = any(getattr(source, field) for source in sources)
        for source in sources:
            if described and not getattr(source, field) and not getattr(deliverable, f"all_sources_{field}"):
                gate.rule(
                    f"s3.{field}.{slug(source.name)}",
                    False,
                    f"{qid} does not say {what} for the source '{source.name}'. Add a line "
                    f"'{source.name}: …', or acknowledge.",
                    kind="concern",
                )
        for name in getattr(deliverable, f"unknown_sources_{field}"):
            gate.rule(
                f"s3.{field}.unknown.{slug(name)}",
                False,
                f"{qid} has a line for '{name}', which is not a source listed in S3Q1. Use the source's name "
                "from S3Q1 (or add the source), or acknowledge.",
                kind="concern",
            )


def stage_4_rules(gate: Gate, deliverable: UserContext) -> None:
    for persona in deliverable.personas:
        label = (persona.role or f"Persona {persona.item + 1}")[:80]
        gate.rule(
            f"s4.persona{persona.item}.research_evidence",
            bool(persona.research_evidence),
            f"The persona '{label}' has no research evidence (S4Q7). Name the interviews, surveys or usage "
            "data it rests on, or acknowledge that it is an assumption.",
            kind="concern",
        )


def stage_5_rules(gate: Gate, deliverable: EthicalRiskReport) -> None:
    for name in rules.PRINCIPLES:
        block = getattr(deliverable.principles, name)
        complete = all(
            v is not None and v != ""
            for v in (block.severity, block.likelihood, block.mitigation, block.mitigation_effectiveness)
        )
        gate.rule(
            f"s5.principle.{name}.complete",
            complete,
            f"The {name.replace('_', ' ')} block needs a severity, a likelihood, a mitigation and its expected "
            "effectiveness.",
            kind="missing",
        )


def run_gate(
    stage_number: int,
    answers: AnswerSet,
    deliverable: BaseModel,
    stage_rules: Callable[[Gate, Any], None],
    acknowledged_keys: set[str] | frozenset[str] = frozenset(),
) -> GateResult:
    """Run stage `stage_number`'s gate (its `stage_rules`, from the registry). Passes when nothing is missing,
    nothing blocks and every concern is acknowledged (its key in `acknowledged_keys`)."""
    gate = Gate(stage_number, answers, set(acknowledged_keys))
    gate.find_missing()
    stage_rules(gate, deliverable)
    return gate.result()
