"""The charter's renderings: Markdown, JSON, a standalone print-ready HTML document, and PDF (WeasyPrint).

Each reads only the structured content from `content.build_charter_content`; nothing is recomputed here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify

from sessions_app.charter.content import CHARTER_SCHEMA_VERSION, SECTIONS, number_text, quantity_text

HTML_TEMPLATE = "sessions_app/charter/document.html"
# WeasyPrint logs every layout step at INFO; its warnings (unsupported CSS, missing fonts) still get through.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
EMPTY = "—"


def charter_filename(project_name: str, version: int, ext: str) -> str:
    """`<project-slug>-charter-v<N>.<ext>`; a name with nothing sluggable becomes 'project'."""
    slug = slugify(project_name or "") or "project"
    return f"{slug}-charter-v{int(version)}.{ext.lstrip('.')}"


def to_json(content: Mapping[str, Any]) -> str:
    """The full structured content, schema-versioned, as pretty-printed UTF-8 JSON."""
    data = dict(content)
    data.setdefault("schema_version", CHARTER_SCHEMA_VERSION)
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


# --- Markdown ------------------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = "; ".join(_cell(v) for v in value)
    elif isinstance(value, Mapping):
        value = quantity_text(value) if "value" in value else "; ".join(f"{k}: {_cell(v)}" for k, v in value.items())
    else:
        value = number_text(value)
    return str(value).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    if len(lines) == 2:
        lines.append("| " + " | ".join(EMPTY for _ in headers) + " |")
    return [*lines, ""]


def _field(label: str, value: Any) -> str:
    text = _cell(value).replace("<br>", "\n  ")
    return f"- **{label}:** {text}"


def _bullets(items: Iterable[Any], empty: str = "None recorded.") -> list[str]:
    lines = [f"- {_cell(item).replace('<br>', ' ')}" for item in items]
    return [*(lines or [f"- {empty}"]), ""]


def _para(text: Any) -> list[str]:
    return [str(text).strip() if text not in (None, "") else EMPTY, ""]


def _label(value: Any) -> str:
    return str(value or EMPTY).replace("_", " ")


def _md_executive_summary(s: Mapping[str, Any]) -> list[str]:
    lines = [
        _field("Project", s["project_name"]),
        _field("Objective", s["objective"]),
        _field("Success measure", s["success_measure"]),
        _field("ML archetype", _label(s["ml_archetype"])),
        _field("Data feasibility", s["overall_feasibility"]),
        _field(
            "Governance decision",
            s["decision_label"] + (" (committee review required)" if s["requires_committee_review"] else ""),
        ),
        "",
        *_para(s["summary"]),
        "**Decision reasoning (rules that fired)**",
        "",
        *_bullets(s["decision_reasoning"]),
    ]
    if s["decision_rationale"]:
        lines += _para(s["decision_rationale"])
    lines += ["**Critical success factors**", "", *_bullets(s["critical_success_factors"])]
    lines += ["**Major risks**", "", *_bullets(s["major_risks"])]
    return lines


def _md_strategic_alignment(s: Mapping[str, Any]) -> list[str]:
    impact = s["business_impact"]
    return [
        "### KPIs",
        "",
        *_table(
            ["KPI", "Baseline", "Target", "Timeframe", "How measured"],
            [
                [k["name"], k["baseline_text"], k["target_text"], k["timeframe_text"], k["measurement_method"]]
                for k in s["kpis"]
            ],
        ),
        "### Business impact",
        "",
        _field("Problem", impact["problem"]),
        _field("Why now", impact["why_now"]),
        _field("Success measure", impact["success_measure"]),
        "",
        *_bullets(impact["kpi_changes"]),
    ]


def _md_problem_definition(s: Mapping[str, Any]) -> list[str]:
    necessity, target, scope = s["ai_necessity"], s["target"], s["scope"]
    return [
        "### Objective",
        "",
        _field("Problem", s["objective"]["problem"]),
        _field("Why now", s["objective"]["why_now"]),
        _field("Success measure", s["objective"]["success_measure"]),
        "",
        "### Why AI",
        "",
        _field("Non-AI alternatives considered", necessity["alternatives_considered"]),
        _field("Could fixed rules solve it completely?", necessity["rules_sufficient"]),
        _field("Why ML is needed", necessity["why_ml"]),
        _field("What makes it learnable", necessity["learnable_signal"]),
        "",
        "### ML archetype",
        "",
        _field("Archetype", _label(s["ml_archetype"])),
        "",
        *_bullets(s["archetype_justification"]),
        "### Input features",
        "",
        *_table(
            ["Feature", "Source", "Available in production", "Note"],
            [[f["name"], f["source"], f["available_in_production"], f["availability_note"]] for f in s["features"]],
        ),
        "### Target output",
        "",
        _field("Name", target["name"]),
        _field("Type", target["type"]),
        _field("Description", target["description"]),
        "",
        "### Scope",
        "",
        "**In scope**",
        "",
        *_bullets(scope["in_scope"]),
        "**Out of scope**",
        "",
        *_bullets(scope["out_of_scope"]),
        "**Assumptions**",
        "",
        *_bullets(scope["assumptions"]),
        "**Constraints**",
        "",
        *_para(scope["constraints"]),
        "**Excluded edge cases**",
        "",
        *_bullets(scope["excluded_edge_cases"]),
    ]


def _md_technical_feasibility(s: Mapping[str, Any]) -> list[str]:
    labeling, fair = s["labeling"], s["fair"]
    lines = [
        _field("Overall data feasibility", s["overall_feasibility"]),
        _field("Average quality score", s["quality_average"]),
        "",
        "### Data quality scorecard",
        "",
        *_table(
            ["Dimension", "Score (0–10)", "Note"],
            [[r["dimension"], r["score"], r["note"]] for r in s["quality_scores"]],
        ),
        "### Data sources",
        "",
        *_table(
            ["Source", "Kind", "Location", "Size and update frequency", "Access", "Features covered"],
            [
                [x["name"], x["kind"], x["location"], x["size_and_frequency"], x["access_method"], x["covers_features"]]
                for x in s["sources"]
            ],
        ),
    ]
    if s["uncovered_features"]:
        lines += ["**Features no source covers**", "", *_bullets(s["uncovered_features"])]
    lines += [
        "### Labelling",
        "",
        _field("Labels needed", labeling["needed"]),
        _field("Number of labels", labeling["label_count"]),
        _field("Who labels", _label(labeling["method"])),
        _field("Budget", labeling["cost_text"]),
        _field("Timeline (weeks)", labeling["timeline_weeks"]),
        _field("Label quality assurance", labeling["qa_process"]),
        "",
        "### FAIR principles",
        "",
        *_table(
            ["Principle", "Rating"], [[p, fair[p]] for p in ("findable", "accessible", "interoperable", "reusable")]
        ),
        "### Infrastructure",
        "",
        *_para(s["infrastructure"]),
    ]
    return lines


def _md_user_context(s: Mapping[str, Any]) -> list[str]:
    lines = ["### Personas", ""]
    for p in s["personas"]:
        lines += [
            f"#### Persona {p['item'] + 1}",
            "",
            _field("Who", p["role"]),
            _field("Goals and responsibilities", p["goals"]),
            _field("Pain points", p["pain_points"]),
            _field("Technical proficiency", p["technical_proficiency"]),
            _field("Uses the output", p["usage_frequency"]),
            _field("Decision authority", p["decision_authority"]),
            _field("Research evidence", p["research_evidence"]),
            "",
        ]
    journey, explain = s["journey"], s["explainability"]
    lines += [
        "### Journey",
        "",
        _field("Before the AI", journey["before"]),
        _field("Interaction with the output", journey["during"]),
        _field("After acting", journey["after"]),
        _field("Critical touchpoints", journey["touchpoints"]),
        _field("Decision points", journey["decision_points"]),
        _field("Where failure hurts", journey["failure_risks"]),
        "",
        "### Explainability",
        "",
        _field("Level", explain["level"]),
        _field("Why this level", explain["level_reasons"]),
        _field("Cost of a wrong decision", explain["stakes"]),
        _field("Regulations", explain["regulations"]),
        _field("Audience", _label(explain["audience"])),
        _field("Global or local", explain["scope"]),
        _field("Techniques", explain["methods"]),
        "",
        "### Feedback",
        "",
        *_table(
            ["Kind", "How collected", "Review cadence", "Path to retraining"],
            [[f["kind"], f["collection"], f["review_cadence"], f["retraining_path"]] for f in s["feedback"]],
        ),
        _field("Onboarding and training", s["training_needs"]),
        "",
    ]
    return lines


def _md_metric_alignment(s: Mapping[str, Any]) -> list[str]:
    window, plan = s["actionability_window"], s["validation_plan"]
    lines = [
        "### Model metrics",
        "",
        *_table(
            ["Metric", "Threshold", "How measured in production"],
            [[m["name"], m["threshold"], m["measurement_method"]] for m in s["model_metrics"]],
        ),
        "### Causal pathways",
        "",
    ]
    for number, p in enumerate(s["causal_pathways"], start=1):
        lines += [
            f"#### Pathway {number}: {', '.join(p['metrics']) or 'model performance'} → {p['kpi'] or EMPTY}",
            "",
            _field("Mechanism", p["mechanism"]),
            _field("Assumptions", p["assumptions"]),
            _field("What would break the link", p["failure_modes"]),
            "",
        ]
    if not s["causal_pathways"]:
        lines += ["No causal pathway recorded.", ""]
    lines += [
        "### Actionability window",
        "",
        _field("Time to act", window["time_to_act_text"]),
        _field("Prediction delay", window["prediction_latency_text"]),
        _field("Margin", window["margin_text"]),
        _field("Sufficient", window["sufficient"]),
        _field("Team's assessment", window["team_assessment"]),
        "",
        "### Validation plan",
        "",
        _field("Method", _label(plan["method"])),
        _field("Description", plan["method_description"]),
        _field("Timeline", plan["timeline_text"]),
        _field("Success criteria", plan["success_criteria"]),
        "",
    ]
    return lines


def _md_decision_box(box: Mapping[str, Any]) -> list[str]:
    lines = [
        "### Governance decision",
        "",
        f"> **Decision: {box['label']}** (`{box['decision'] or 'none'}`)",
        ">",
        f"> Requires committee review: **{'yes' if box['requires_committee_review'] else 'no'}**",
        ">",
        f"> {box['advisory_statement']}",
    ]
    for statement in (box["committee_statement"], box["status_statement"]):
        if statement:
            lines += [">", f"> **{statement}**"]
    lines += ["", "**Rules that fired**", ""]
    lines += _table(
        ["Rule", "Description", "Inputs", "Outcome", "Decisive"],
        [[r["rule"], r["description"], r["inputs_text"], r["outcome"], r["decisive"]] for r in box["rules_fired"]],
    )
    if box["rationale"]:
        lines += ["**Rationale**", "", *_para(box["rationale"])]
    lines += ["**Conditions**", "", *_bullets(box["conditions"], "No conditions.")]
    return lines


def _md_ethical_review(s: Mapping[str, Any]) -> list[str]:
    assessment, acceptance = s["self_assessment"], s["acceptance"]
    lines = [
        "### Self-assessment",
        "",
        _field("Prior ethics review", assessment["prior_review"]),
        _field("Risks identified so far", assessment["known_risks"]),
        _field("Who could be harmed", assessment["affected_groups"]),
        "",
        "### Risks per principle",
        "",
        *_table(
            [
                "Principle",
                "Risk",
                "Severity",
                "Likelihood",
                "Mitigation",
                "Effectiveness",
                "Residual score",
                "Residual band",
            ],
            [
                [
                    p["label"],
                    p["risk"],
                    p["severity"],
                    p["likelihood"],
                    p["mitigation"],
                    f"{number_text(p['mitigation_effectiveness'])} %"
                    if p["mitigation_effectiveness"] is not None
                    else None,
                    (p["residual_risk"] or {}).get("score"),
                    (p["residual_risk"] or {}).get("band"),
                ]
                for p in s["principles"]
            ],
        ),
        "### Acceptance",
        "",
        _field("Residual risk acceptable", _label(acceptance["residual_risk_acceptable"])),
        _field("Why", acceptance["rationale"]),
        "",
    ]
    return lines + _md_decision_box(s["decision_box"])


def _md_operational_strategy(s: Mapping[str, Any]) -> list[str]:
    return [
        "### Monitoring",
        "",
        *_para(s["monitoring_plan"]),
        "**Ethics metrics**",
        "",
        *_bullets(s["ethics_metrics"]),
        "**Model metrics in production**",
        "",
        *_table(
            ["Metric", "Threshold", "How measured"],
            [[m["name"], m["threshold"], m["measurement_method"]] for m in s["model_metrics"]],
        ),
        "### Audits",
        "",
        _field("Audit frequency", _label(s["audit_frequency"])),
        "",
        "### Escalation and shutdown triggers",
        "",
        *_bullets(s["escalation_triggers"]),
        "### Retraining triggers",
        "",
        *_bullets(s["retraining_triggers"]),
        _field("Feedback review cadence", s["feedback_review_cadence"]),
        "",
        "**What would break the link between model and KPIs**",
        "",
        *_bullets(s["kpi_link_failure_modes"]),
    ]


def _md_open_issues(s: Mapping[str, Any]) -> list[str]:
    lines = ["### Escalated answers", ""]
    lines += _table(
        ["Question", "Answer accepted after the last attempt"],
        [[f"{e['question_id']}: {e['question']}", e["answer"]] for e in s["escalated_answers"]],
    )
    lines += ["### Acknowledged concerns", ""]
    lines += _table(
        ["Stage", "Concern", "Reason given"],
        [[c["stage"], c["message"] or c["key"], c["reason"]] for c in s["acknowledged_concerns"]],
    )
    lines += ["### Consistency findings", ""]
    if s["consistency_note"]:
        lines += _para(s["consistency_note"])
    lines += _table(
        ["Severity", "Stages", "Finding", "Recommendation", "Source", "Acknowledged"],
        [
            [
                f["severity"],
                "–".join(str(n) for n in f.get("stages") or ()),
                f["description"],
                f["recommendation"],
                f.get("source"),
                f"yes: {f['acknowledgement_reason']}" if f["acknowledged"] else "no",
            ]
            for f in s["consistency_findings"]
        ],
    )
    return lines


def _md_appendix(s: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for stage in s["stages"]:
        lines += [f"### Stage {stage['stage']}: {stage['title']}", ""]
        lines += _table(
            ["Id", "Question", "Final answer"],
            [
                [f"{a['question_id']}" + (f" #{a['item'] + 1}" if a["item"] else ""), a["question"], a["answer"]]
                for a in stage["answers"]
            ],
        )
    return lines


def _md_approval(s: Mapping[str, Any]) -> list[str]:
    if not s["approver_name"]:
        return ["Not yet approved.", "", _field("Approver", ""), _field("Date", ""), _field("Comment", ""), ""]
    return [
        _field("Approver", s["approver_name"]),
        _field("Date", s["approved_at"]),
        _field("Comment", s["comment"]),
        "",
    ]


_MARKDOWN_SECTIONS = {
    "executive_summary": _md_executive_summary,
    "strategic_alignment": _md_strategic_alignment,
    "problem_definition": _md_problem_definition,
    "technical_feasibility": _md_technical_feasibility,
    "user_context": _md_user_context,
    "metric_alignment": _md_metric_alignment,
    "ethical_review": _md_ethical_review,
    "operational_strategy": _md_operational_strategy,
    "open_issues": _md_open_issues,
    "appendix": _md_appendix,
    "approval": _md_approval,
}


def to_markdown(content: Mapping[str, Any]) -> str:
    """The charter as Markdown: one `##` heading per section, tables as pipe tables."""
    writer = "the offline templates" if content.get("narrative_source") == "offline" else "a language model"
    lines = [
        f"# AI Project Charter: {content['project_name']}",
        "",
        f"Version {content['version']} · generated {content.get('generated_at') or EMPTY} · "
        f"narrative written by {writer} from the stored answers; every table and figure comes from the answers.",
        "",
    ]
    for key, title in SECTIONS:
        lines += [f"## {title}", ""]
        lines += _MARKDOWN_SECTIONS[key](content["sections"][key])
    return "\n".join(lines).rstrip() + "\n"


# --- HTML and PDF --------------------------------------------------------------------------------------------


def to_html(content: Mapping[str, Any]) -> str:
    """A standalone, print-ready HTML document (inline print stylesheet; not served under the app's CSP)."""
    sections = content["sections"]
    return render_to_string(
        HTML_TEMPLATE,
        {
            "content": content,
            "s": sections,
            "box": sections["ethical_review"]["decision_box"],
            "section_titles": dict(SECTIONS),
        },
    )


def to_pdf(content: Mapping[str, Any]) -> bytes:
    """The HTML document printed to PDF by WeasyPrint (needs Pango: see docs/DEPLOYMENT or the Dockerfile)."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only PDF exports need it

    return HTML(string=to_html(content)).write_pdf()
