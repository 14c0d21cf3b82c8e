"""The charter's outline: what each section shows, described once for every rendering.

`charter_outline(content)` turns the structured content (`content.build_charter_content`) into the document's
title and meta line and, per section, a list of blocks: headings, label/value fields, tables, bullet lists,
paragraphs and call-outs. The Markdown renderer (`rendering.to_markdown`) and the HTML document template
(`templates/sessions_app/charter/document.html`, which the charter page, the printable download and the PDF use)
render these blocks without knowing any section, so a charter field is added here, once.

Values are display text by the time they leave this module (numbers, quantities, yes/no, the empty dash); each
renderer only escapes for its own format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from sessions_app.charter.content import SECTIONS
from sessions_app.formatting import number_text, quantity_text

EMPTY = "—"
NONE_RECORDED = "None recorded."

# --- Blocks ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading below the section's own: level 3 or 4."""

    text: str
    level: int = 3
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True, slots=True)
class Field:
    """One label and its value; a list value keeps one entry per item."""

    label: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Fields:
    """Label/value pairs. `sign_off` fields are a form to fill in on paper: blank values stay blank there."""

    rows: tuple[Field, ...]
    sign_off: bool = False
    kind: ClassVar[str] = "fields"


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row; `empty` stands in for the rows when there are none. Cells in `pre_columns`
    keep the line breaks of multi-line answers."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str
    pre_columns: tuple[int, ...] = ()
    kind: ClassVar[str] = "table"


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    empty: str
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Literal["", "strong", "code"] = ""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """Text, optionally with strong or code spans. `css_class` is the HTML class ('pre' keeps line breaks)."""

    spans: tuple[Span, ...]
    css_class: str = ""
    kind: ClassVar[str] = "paragraph"


@dataclass(frozen=True, slots=True)
class Callout:
    """Blocks set apart from the text: a bordered box in HTML, a block quote in Markdown."""

    blocks: tuple[Block, ...]
    css_class: str
    label: str
    kind: ClassVar[str] = "callout"


Block = Heading | Fields | Table | Bullets | Paragraph | Callout


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Outline:
    title: str
    meta: str
    sections: tuple[Section, ...]


# --- Display text and block constructors ------------------------------------------------------------------------


def text(value: Any, *, empty: str = EMPTY) -> str:
    """A content value as display text: '—' when missing, yes/no, '2' for 2.0, '2.3 %' for a quantity, lists
    joined with '; '."""
    if value is None or (isinstance(value, str | list | tuple | Mapping) and not value):
        return empty
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "; ".join(text(item) for item in value)
    if isinstance(value, Mapping):
        if "value" in value:
            return quantity_text(value) or empty
        return "; ".join(f"{key}: {text(item)}" for key, item in value.items())
    return number_text(value)


def label(value: str | None) -> str:
    """A stored choice as words: 'with_conditions' → 'with conditions'."""
    return (value or "").replace("_", " ")


def heading(title: str, level: int = 3) -> Heading:
    return Heading(title, level)


def fields(*rows: tuple[str, Any], sign_off: bool = False) -> Fields:
    empty = "" if sign_off else EMPTY

    def lines(value: Any) -> tuple[str, ...]:
        if isinstance(value, list | tuple) and value:
            return tuple(text(item) for item in value)
        return (text(value, empty=empty),)

    return Fields(tuple(Field(name, lines(value)) for name, value in rows), sign_off)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, empty: str, pre_columns: Sequence[int] = ()
) -> Table:
    return Table(tuple(headers), tuple(tuple(text(cell) for cell in row) for row in rows), empty, tuple(pre_columns))


def bullets(items: Iterable[Any], empty: str | None = NONE_RECORDED) -> Bullets | None:
    """A bullet list; with `empty=None`, nothing at all when there are no items."""
    shown = tuple(text(item) for item in items)
    if not shown and empty is None:
        return None
    return Bullets(shown, empty or "")


def para(value: Any, *, css_class: str = "") -> Paragraph:
    return Paragraph((Span(text(value).strip()),), css_class)


def strong(value: str) -> Span:
    return Span(value, "strong")


def code(value: str) -> Span:
    return Span(value, "code")


# --- The sections -----------------------------------------------------------------------------------------------

Blocks = list[Block | None]


def _executive_summary(s: Mapping[str, Any]) -> Blocks:
    committee = " — committee review required" if s["requires_committee_review"] else ""
    return [
        fields(
            ("Project", s["project_name"]),
            ("Objective", s["objective"]),
            ("Success measure", s["success_measure"]),
            ("ML archetype", label(s["ml_archetype"])),
            ("Data feasibility", s["overall_feasibility"]),
            ("Governance decision", s["decision_label"] + committee),
        ),
        para(s["summary"]),
        heading("Why this decision"),
        bullets(s["decision_reasoning"], "No reason recorded yet."),
        para(s["decision_rationale"]) if s["decision_rationale"] else None,
        heading("Critical success factors"),
        bullets(s["critical_success_factors"]),
        heading("Major risks"),
        bullets(s["major_risks"]),
    ]


def _strategic_alignment(s: Mapping[str, Any]) -> Blocks:
    impact = s["business_impact"]
    kpi_columns = ("name", "baseline_text", "target_text", "timeframe_text", "measurement_method")
    return [
        heading("KPIs"),
        table(
            ["KPI", "Baseline", "Target", "Timeframe", "How measured"],
            [[k[column] for column in kpi_columns] for k in s["kpis"]],
            empty="No KPI recorded.",
        ),
        heading("Business impact"),
        fields(
            ("Problem", impact["problem"]),
            ("Why now", impact["why_now"]),
            ("Success measure", impact["success_measure"]),
        ),
        bullets(impact["kpi_changes"], None),
    ]


def _problem_definition(s: Mapping[str, Any]) -> Blocks:
    objective, necessity, target, scope = s["objective"], s["ai_necessity"], s["target"], s["scope"]
    return [
        heading("Objective"),
        fields(
            ("Problem", objective["problem"]),
            ("Why now", objective["why_now"]),
            ("Success measure", objective["success_measure"]),
        ),
        heading("Why AI"),
        fields(
            ("Non-AI alternatives considered", necessity["alternatives_considered"]),
            ("Could fixed rules solve it completely?", necessity["rules_sufficient"]),
            ("Why ML is needed", necessity["why_ml"]),
            ("What makes it learnable", necessity["learnable_signal"]),
        ),
        heading(f"ML archetype: {text(label(s['ml_archetype']))}"),
        bullets(s["archetype_justification"], None),
        heading("Input features"),
        table(
            ["Feature", "Source", "Available in production", "Note"],
            [
                [f["name"], f["source"], _known(f["available_in_production"]), f["availability_note"]]
                for f in s["features"]
            ],
            empty="No feature recorded.",
        ),
        heading("Target output"),
        fields(("Name", target["name"]), ("Type", target["type"]), ("Description", target["description"])),
        heading("Scope"),
        heading("In scope", 4),
        bullets(scope["in_scope"]),
        heading("Out of scope", 4),
        bullets(scope["out_of_scope"]),
        heading("Assumptions", 4),
        bullets(scope["assumptions"]),
        heading("Constraints", 4),
        para(scope["constraints"], css_class="pre"),
        heading("Excluded edge cases", 4),
        bullets(scope["excluded_edge_cases"]),
    ]


def _known(flag: bool | None) -> str:
    return "unknown" if flag is None else text(flag)


def _technical_feasibility(s: Mapping[str, Any]) -> Blocks:
    labeling, fair = s["labeling"], s["fair"]
    source_columns = ("name", "kind", "location", "size_and_frequency", "access_method", "covers_features")
    principles = ("findable", "accessible", "interoperable", "reusable")
    uncovered = s["uncovered_features"]
    return [
        fields(("Overall data feasibility", s["overall_feasibility"]), ("Average quality score", s["quality_average"])),
        heading("Data quality scorecard"),
        table(
            ["Dimension", "Score (0–10)", "Note"],
            [[r["dimension"], r["score"], r["note"]] for r in s["quality_scores"]],
            empty="None.",
        ),
        heading("Data sources"),
        table(
            ["Source", "Kind", "Location", "Size and update frequency", "Access", "Features covered"],
            [[x[column] for column in source_columns] for x in s["sources"]],
            empty="No data source recorded.",
        ),
        fields(("Features no source covers", text(uncovered))) if uncovered else None,
        heading("Labelling"),
        fields(
            ("Labels needed", labeling["needed"]),
            ("Number of labels", labeling["label_count"]),
            ("Who labels", label(labeling["method"])),
            ("Budget", labeling["cost_text"]),
            ("Timeline (weeks)", labeling["timeline_weeks"]),
            ("Label quality assurance", labeling["qa_process"]),
        ),
        heading("FAIR principles"),
        table([p.capitalize() for p in principles], [[fair[p] for p in principles]], empty="None."),
        heading("Infrastructure"),
        para(s["infrastructure"], css_class="pre"),
    ]


def _persona(number: int, p: Mapping[str, Any]) -> Blocks:
    return [
        heading(f"Persona {number}", 4),
        fields(
            ("Who", p["role"]),
            ("Goals and responsibilities", p["goals"]),
            ("Pain points", p["pain_points"]),
            ("Technical proficiency", p["technical_proficiency"]),
            ("Uses the output", p["usage_frequency"]),
            ("Decision authority", p["decision_authority"]),
            ("Research evidence", p["research_evidence"]),
        ),
    ]


def _user_context(s: Mapping[str, Any]) -> Blocks:
    journey, explain = s["journey"], s["explainability"]
    personas: Blocks = [block for n, p in enumerate(s["personas"], start=1) for block in _persona(n, p)]
    return [
        heading("Personas"),
        *(personas or [para("No persona recorded.")]),
        heading("Journey"),
        fields(
            ("Before the AI", journey["before"]),
            ("Interaction with the output", journey["during"]),
            ("After acting", journey["after"]),
            ("Critical touchpoints", journey["touchpoints"]),
            ("Decision points", journey["decision_points"]),
            ("Where failure hurts", journey["failure_risks"]),
        ),
        heading("Explainability"),
        fields(
            ("Level", explain["level"]),
            ("Why this level", explain["level_reasons"]),
            ("Cost of a wrong decision", explain["stakes"]),
            ("Regulations", explain["regulations"]),
            ("Audience", label(explain["audience"])),
            ("Global or local", explain["scope"]),
            ("Techniques", explain["methods"]),
        ),
        heading("Feedback"),
        table(
            ["Kind", "How collected", "Review cadence", "Path to retraining"],
            [[f["kind"], f["collection"], f["review_cadence"], f["retraining_path"]] for f in s["feedback"]],
            empty="No feedback mechanism recorded.",
        ),
        fields(("Onboarding and training", s["training_needs"])),
    ]


def _pathway(number: int, p: Mapping[str, Any]) -> Blocks:
    metrics = ", ".join(p["metrics"]) or "model performance"
    return [
        heading(f"Pathway {number}: {metrics} → {p['kpi'] or EMPTY}", 4),
        fields(
            ("Mechanism", p["mechanism"]),
            ("Assumptions", p["assumptions"]),
            ("What would break the link", p["failure_modes"]),
        ),
    ]


def _metric_table(metrics: Iterable[Mapping[str, Any]], how: str) -> Table:
    return table(
        ["Metric", "Threshold", how],
        [[m["name"], m["threshold"], m["measurement_method"]] for m in metrics],
        empty="No metric recorded.",
    )


def _metric_alignment(s: Mapping[str, Any]) -> Blocks:
    window, plan = s["actionability_window"], s["validation_plan"]
    pathways: Blocks = [block for n, p in enumerate(s["causal_pathways"], start=1) for block in _pathway(n, p)]
    return [
        heading("Model metrics"),
        _metric_table(s["model_metrics"], "How measured in production"),
        heading("Causal pathways"),
        *(pathways or [para("No causal pathway recorded.")]),
        heading("Actionability window"),
        fields(
            ("Time to act", window["time_to_act_text"]),
            ("Prediction delay", window["prediction_latency_text"]),
            ("Margin", window["margin_text"]),
            ("Sufficient", window["sufficient"]),
            ("Team's assessment", window["team_assessment"]),
        ),
        heading("Validation plan"),
        fields(
            ("Method", label(plan["method"])),
            ("Description", plan["method_description"]),
            ("Timeline", plan["timeline_text"]),
            ("Success criteria", plan["success_criteria"]),
        ),
    ]


def _principle_text_row(p: Mapping[str, Any]) -> list[Any]:
    return [p["label"], p["risk"], p["mitigation"]]


def _principle_row(p: Mapping[str, Any]) -> list[Any]:
    effectiveness = p["mitigation_effectiveness"]
    residual = p["residual_risk"] or {}
    credited = residual.get("credited_percent")
    status = p.get("mitigation_status")
    band = residual.get("band")
    return [
        p["label"],
        p["severity"],
        p["likelihood"],
        residual.get("inherent_band"),
        f"{number_text(effectiveness)} %" if effectiveness is not None else None,
        label(status) if status else ("not given (as planned)" if residual else None),
        f"{number_text(credited)} %" if credited is not None else None,
        residual.get("score"),
        f"{band} (raised)" if band and residual.get("band_floored") else band,
    ]


def _decision_box(box: Mapping[str, Any]) -> Callout:
    obligations = box.get("eu_ai_act_obligations") or []
    blocks: Blocks = [
        Paragraph((strong(f"Decision: {box['label']}"),), "decision"),
        Paragraph((strong(box["committee_statement"]),), "committee-required") if box["committee_statement"] else None,
        Paragraph((strong(box["status_statement"]),)) if box["status_statement"] else None,
        para(box["advisory_statement"]),
        heading("Why", 4),
        bullets(box["reasoning"], "No reason recorded yet."),
        heading("EU AI Act", 4) if "eu_ai_act_tier" in box else None,
        fields(("Tier", box.get("eu_ai_act_tier_label"))) if "eu_ai_act_tier" in box else None,
        bullets(box.get("eu_ai_act_reasons") or [], None),
        heading("Obligations of the tier", 4) if obligations else None,
        bullets(obligations, None),
        para(box["eu_ai_act_note"]) if box.get("eu_ai_act_note") else None,
        heading("Rationale", 4) if box["rationale"] else None,
        para(box["rationale"]) if box["rationale"] else None,
        heading("Conditions", 4),
        bullets(box["conditions"], "No conditions."),
    ]
    committee = " committee" if box["requires_committee_review"] else ""
    return Callout(_present(blocks), f"decision-box{committee}", "Governance decision")


def _eu_ai_act_answers(answers: Mapping[str, Any]) -> Fields:
    return fields(
        ("Prohibited practice", label(answers.get("prohibited_practice"))),
        ("Annex I product needing third-party assessment", label(answers.get("annex_i_product"))),
        ("Annex III area", label(answers.get("annex_iii_area"))),
        ("Art. 6(3) exemption", label(answers.get("art6_3_exemption"))),
        ("Profiles people", label(answers.get("profiling"))),
        ("Transparency case", label(answers.get("transparency"))),
    )


def _framework_coverage(s: Mapping[str, Any]) -> Blocks:
    return [
        para(s["summary"]),
        heading("Evidenced by the interview"),
        table(
            ["Subcategory", "Outcome", "Charter sections", "Questions"],
            [[c["id"], c["summary"], c["sections"], ", ".join(c["questions"])] for c in s["covered"]],
            empty="None.",
        ),
        heading("Not covered by the interview"),
        table(["Subcategory", "Outcome"], [[u["id"], u["summary"]] for u in s["uncovered"]], empty="None."),
    ]


def _ethical_review(s: Mapping[str, Any]) -> Blocks:
    assessment, acceptance = s["self_assessment"], s["acceptance"]
    return [
        heading("Self-assessment"),
        fields(
            ("Prior ethics review", assessment["prior_review"]),
            ("Risks identified so far", assessment["known_risks"]),
            ("Who could be harmed", assessment["affected_groups"]),
        ),
        heading("EU AI Act classification (the team's answers)") if "eu_ai_act" in s else None,
        _eu_ai_act_answers(s["eu_ai_act"]) if "eu_ai_act" in s else None,
        heading("Risks per principle"),
        table(["Principle", "Risk", "Mitigation"], [_principle_text_row(p) for p in s["principles"]], empty="None."),
        table(
            [
                "Principle",
                "Severity",
                "Likelihood",
                "Inherent",
                "Stated",
                "Status",
                "Credited",
                "Residual",
                "Residual band",
            ],
            [_principle_row(p) for p in s["principles"]],
            empty="None.",
        ),
        para(
            "Inherent = severity × likelihood (low 1 … critical 4). A mitigation is credited with its stated "
            "effectiveness up to what its status allows (planned 25 %, implemented 50 %, verified 80 %); the residual "
            "band is never more than one band below the inherent band (marked “raised”)."
        ),
        heading("Acceptance"),
        fields(
            ("Residual risk acceptable", label(acceptance["residual_risk_acceptable"])),
            ("Why", acceptance["rationale"]),
        ),
        _decision_box(s["decision_box"]),  # the box starts with "Decision: …"; a heading above it could be orphaned
    ]


def _operational_strategy(s: Mapping[str, Any]) -> Blocks:
    return [
        heading("Monitoring"),
        para(s["monitoring_plan"], css_class="pre"),
        heading("Ethics metrics", 4),
        bullets(s["ethics_metrics"]),
        heading("Model metrics in production", 4),
        _metric_table(s["model_metrics"], "How measured"),
        heading("Audits"),
        fields(("Audit frequency", label(s["audit_frequency"]))),
        heading("Escalation and shutdown triggers"),
        bullets(s["escalation_triggers"]),
        heading("Retraining triggers"),
        bullets(s["retraining_triggers"]),
        fields(("Feedback review cadence", ", ".join(s["feedback_review_cadence"]))),
        heading("What would break the link between model and KPIs", 4),
        bullets(s["kpi_link_failure_modes"]),
    ]


def _finding_row(f: Mapping[str, Any]) -> list[Any]:
    acknowledged = f"yes: {f['acknowledgement_reason']}" if f["acknowledged"] else "no"
    stages = "–".join(str(n) for n in f.get("stages") or ())
    return [f["severity"], stages, f["description"], f["recommendation"], f.get("source"), acknowledged]


def _open_issues(s: Mapping[str, Any]) -> Blocks:
    note = s["consistency_note"]
    return [
        heading("Escalated answers"),
        table(
            ["Question", "Answer accepted after the last attempt"],
            [[f"{e['question_id']}: {e['question']}", e["answer"]] for e in s["escalated_answers"]],
            empty="None.",
            pre_columns=[1],
        ),
        heading("Acknowledged concerns"),
        table(
            ["Stage", "Concern", "Reason given"],
            [[c["stage"], c["message"] or c["key"], c["reason"]] for c in s["acknowledged_concerns"]],
            empty="None.",
        ),
        heading("Consistency findings"),
        para(note) if note else None,
        table(
            ["Severity", "Stages", "Finding", "Recommendation", "Source", "Acknowledged"],
            [_finding_row(f) for f in s["consistency_findings"]],
            empty="None.",
        ),
    ]


def _answer_id(a: Mapping[str, Any]) -> str:
    return f"{a['question_id']} #{a['item'] + 1}" if a["item"] else str(a["question_id"])


def _appendix(s: Mapping[str, Any]) -> Blocks:
    blocks: Blocks = []
    for stage in s["stages"]:
        blocks += [
            heading(f"Stage {stage['stage']}: {stage['title']}"),
            table(
                ["Id", "Question", "Final answer"],
                [[_answer_id(a), a["question"], a["answer"]] for a in stage["answers"]],
                empty="No answers.",
                pre_columns=[2],
            ),
        ]
    return blocks


def _approval(s: Mapping[str, Any]) -> Blocks:
    return [
        fields(("Approver", s["approver_name"]), ("Date", s["approved_at"]), ("Comment", s["comment"]), sign_off=True),
        None if s["approver_name"] else para("Not yet approved.", css_class="meta"),
    ]


SECTION_BLOCKS: Mapping[str, Callable[[Mapping[str, Any]], Blocks]] = {
    "executive_summary": _executive_summary,
    "strategic_alignment": _strategic_alignment,
    "problem_definition": _problem_definition,
    "technical_feasibility": _technical_feasibility,
    "user_context": _user_context,
    "metric_alignment": _metric_alignment,
    "ethical_review": _ethical_review,
    "operational_strategy": _operational_strategy,
    "open_issues": _open_issues,
    "framework_coverage": _framework_coverage,
    "appendix": _appendix,
    "approval": _approval,
}


def _present(blocks: Blocks) -> tuple[Block, ...]:
    return tuple(block for block in blocks if block is not None)


def charter_outline(content: Mapping[str, Any]) -> Outline:
    """The whole charter as blocks, sections in document order (`content.SECTIONS`)."""
    writer = "the offline templates" if content.get("narrative_source") == "offline" else "a language model"
    meta = (
        f"Version {content['version']} · generated {content.get('generated_at') or EMPTY} · narrative written by "
        f"{writer} from the stored answers; every table and figure comes from the answers."
    )
    sections = content["sections"]
    return Outline(
        title=f"AI Project Charter: {content['project_name']}",
        meta=meta,
        sections=tuple(
            Section(key, sections[key].get("title") or title, _present(SECTION_BLOCKS[key](sections[key])))
            for key, title in SECTIONS
            if key in sections  # versions made before a section existed stay as they were
        ),
    )
