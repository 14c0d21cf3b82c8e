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

from sessions_app.charter.content import SECTION_TITLES, SECTIONS
from sessions_app.formatting import date_text, number_text, plural, quantity_text, sentences, short_name
from sessions_app.interview.question_bank import get_bank

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
    """One label and its value; a list value keeps one entry per item (`is_list`: shown as a list)."""

    label: str
    lines: tuple[str, ...]
    is_list: bool = False


@dataclass(frozen=True, slots=True)
class Fields:
    """Label/value pairs. `sign_off` fields are a form to fill in on paper: blank values stay blank there."""

    rows: tuple[Field, ...]
    sign_off: bool = False
    kind: ClassVar[str] = "fields"


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to one answer: shown as its question, linked to the answer's row in the appendix."""

    text: str
    anchor: str


Cell = str | tuple[str | Ref, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table with a header row; `empty` stands in for the rows when there are none. A cell is text, or a tuple
    of items (a list answer, references to answers) shown one per line. Cells in `pre_columns` keep the line
    breaks of multi-line answers. `widths` are relative column widths (the PDF lays tables out at fixed widths
    so that none runs off the page); `css_class` is the HTML class ('compact': a smaller type size)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str
    pre_columns: tuple[int, ...] = ()
    widths: tuple[int, ...] = ()
    css_class: str = ""
    anchors: tuple[str, ...] = ()
    kind: ClassVar[str] = "table"

    @property
    def laid_out(self) -> tuple[tuple[str, tuple[tuple[str | Ref, ...], ...]], ...]:
        """Each row as (its anchor or '', its cells as tuples of items): a text cell is one item."""
        anchors = self.anchors or ("",) * len(self.rows)
        return tuple(
            (anchor, tuple((value,) if isinstance(value, str) else value for value in row))
            for anchor, row in zip(anchors, self.rows, strict=True)
        )


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

    @property
    def anchor(self) -> str:
        """The section's id in HTML (the table of contents links to it)."""
        return self.key.replace("_", "-")


@dataclass(frozen=True, slots=True)
class Outline:
    title: str
    meta: str
    sections: tuple[Section, ...]
    decision: str = ""  # the decision's slug (for the badge's colour) …
    decision_label: str = ""  # … and its words
    project_name: str = ""
    version: int = 0

    @property
    def decision_class(self) -> str:
        """The badge's CSS class suffix: 'submit-to-committee' (no stored slug appears in a stylesheet)."""
        return self.decision.replace("_", "-")

    @property
    def appendix(self) -> tuple[Section, ...]:
        return tuple(section for section in self.sections if section.key in APPENDIX_SECTIONS)

    @property
    def body(self) -> tuple[Section, ...]:
        return tuple(section for section in self.sections if section.key not in APPENDIX_SECTIONS)


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

    def field(name: str, value: Any) -> Field:
        if isinstance(value, list | tuple) and value:
            return Field(name, tuple(text(item) for item in value), is_list=len(value) > 1)
        return Field(name, (text(value, empty=empty),))

    return Fields(tuple(field(name, value) for name, value in rows), sign_off)


def cell(value: Any) -> Cell:
    """A table cell: a list of two or more items stays a list (one per line), anything else becomes text."""
    if isinstance(value, list | tuple) and len(value) > 1:
        return tuple(item if isinstance(item, Ref) else text(item) for item in value)
    if isinstance(value, list | tuple) and value and isinstance(value[0], Ref):
        return (value[0],)
    return text(value)


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    empty: str,
    pre_columns: Sequence[int] = (),
    widths: Sequence[int] = (),
    css_class: str = "",
    anchors: Sequence[str] = (),
) -> Table:
    return Table(
        tuple(headers),
        tuple(tuple(cell(value) for value in row) for row in rows),
        empty,
        tuple(pre_columns),
        tuple(widths),
        css_class,
        tuple(anchors),
    )


def cell_text(value: Cell, separator: str = "; ") -> str:
    """A cell as one line of text (items joined)."""
    if isinstance(value, str):
        return value
    return separator.join(item.text if isinstance(item, Ref) else item for item in value)


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


# --- References to answers -------------------------------------------------------------------------------------


def answer_anchor(question_id: str, item: int = 0) -> str:
    """The id of an answer's row in the appendix: 'answer-S4Q20', 'answer-S4Q1-2' for the second persona."""
    return f"answer-{question_id}" if not item else f"answer-{question_id}-{item + 1}"


def _split_key(key: str) -> tuple[str, int]:
    """'S4Q20', 'S4Q20#1' or 'S4Q20-1' → ('S4Q20', 1)."""
    for mark in ("#", "-"):
        if mark in key:
            question_id, _, item = key.partition(mark)
            return question_id, int(item) if item.isdigit() else 0
    return key, 0


def question_ref(key: str) -> Ref:
    """A question as people read it: its text (and which item, for repeatable groups), linked to its answer."""
    question_id, item = _split_key(key)
    try:
        wording = get_bank().question(question_id).text
    except LookupError:
        wording = question_id
    shown = f"{wording} (#{item + 1})" if item else wording
    return Ref(shown, answer_anchor(question_id, item))


def question_refs(keys: Iterable[str]) -> list[Ref]:
    return [question_ref(key) for key in keys]


def _is_list_question(question_id: str) -> bool:
    try:
        return get_bank().question(question_id).type == "list"
    except LookupError:
        return False


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
        para(s["summary"]) if s.get("summary") else None,
        heading("Why this decision"),
        bullets(s["decision_reasoning"], "No reason recorded yet."),
        para(s["decision_rationale"]) if _adds_to(s["decision_rationale"], s["decision_reasoning"]) else None,
        heading("Critical success factors"),
        bullets(s["critical_success_factors"]),
        heading("Major risks"),
        bullets(s["major_risks"]),
    ]


def _adds_to(paragraph: str | None, lines: Iterable[str]) -> bool:
    """Whether a paragraph says something the lines do not: an offline rationale is the reasons again."""
    shown = " ".join(lines)
    return any(sentence.rstrip(".") not in shown for sentence in sentences(paragraph))


def _strategic_alignment(s: Mapping[str, Any]) -> Blocks:
    impact = s["business_impact"]
    kpi_columns = ("name", "baseline_text", "target_text", "timeframe_text", "measurement_method")
    return [
        heading("KPIs"),
        table(
            ["KPI", "Baseline", "Target", "Timeframe", "How measured"],
            [[k[column] for column in kpi_columns] for k in s["kpis"]],
            empty="No KPI recorded.",
            widths=(26, 10, 10, 11, 43),
        ),
        heading("Business impact"),
        fields(("Why now", impact["why_now"])),  # each KPI's change is its row in the table above
    ]


def _problem_definition(s: Mapping[str, Any]) -> Blocks:
    objective, necessity, target, scope = s["objective"], s["ai_necessity"], s["target"], s["scope"]
    return [
        heading("Objective"),
        fields(("Problem", objective["problem"]), ("Success measure", objective["success_measure"])),
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
            widths=(30, 20, 14, 36),
        ),
        heading("Target output"),
        fields(  # a name only when the model's extraction gave one; no question asks for it
            *((("Name", target["name"]),) if target["name"] else ()),
            ("Type", target["type"]),
            ("Description", target["description"]),
        ),
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


_ALL_SOURCES_FIELDS = {"size_and_frequency": "sources_size_and_frequency", "access_method": "sources_access"}


def _source_cell(s: Mapping[str, Any], source: Mapping[str, Any], column: str) -> Any:
    """A sources-table cell; a source with no line of its own points to what the answer says of all sources."""
    value = source[column]
    if column == "kind" and value == "api":
        return "API"
    if value is None and column in _ALL_SOURCES_FIELDS and s[_ALL_SOURCES_FIELDS[column]]:
        return "As for all sources (below the table)"
    return value


def _technical_feasibility(s: Mapping[str, Any]) -> Blocks:
    labeling, fair = s["labeling"], s["fair"]
    source_columns = ("name", "kind", "location", "size_and_frequency", "access_method", "covers_features")
    principles = ("findable", "accessible", "interoperable", "reusable")
    uncovered = s["uncovered_features"]
    all_sources = [
        (name, said)
        for name, said in (
            ("Size and update frequency, all sources", s["sources_size_and_frequency"]),
            ("Access, all sources", s["sources_access"]),
        )
        if said
    ]
    return [
        fields(("Overall data feasibility", s["overall_feasibility"]), ("Average quality score", s["quality_average"])),
        heading("Data quality scorecard"),
        table(
            ["Dimension", "Score (0–10)", "Note"],
            [[r["dimension"], r["score"], r["note"]] for r in s["quality_scores"]],
            empty="None.",
            widths=(18, 12, 70),
        ),
        heading("Data sources"),
        table(
            ["Source", "Kind", "Location", "Size and update frequency", "Access", "Features covered"],
            [[_source_cell(s, x, column) for column in source_columns] for x in s["sources"]],
            empty="No data source recorded.",
            widths=(13, 10, 17, 22, 20, 18),
            css_class="compact",
        ),
        fields(*all_sources) if all_sources else None,
        fields(("Features no source covers", text(uncovered))) if uncovered else None,
        heading("Labelling"),
        fields(
            ("New labels needed", labeling["needed"]),
            ("Labelled examples available", _count(labeling.get("available_count"))),
            ("Labelled examples needed", _count(labeling.get("required_count"))),
            ("Short by", _count(labeling.get("shortfall"))),
            ("New labels planned", _count(labeling["label_count"])),
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
            widths=(10, 40, 12, 38),
        ),
        fields(("Onboarding and training", s["training_needs"])),
    ]


def _pathway_links(p: Mapping[str, Any]) -> str:
    link = f"{', '.join(p['metrics']) or 'model performance'} → {short_name(p['kpi']) or EMPTY}"
    if p.get("unmatched_metrics"):  # chosen in S2Q15 but not in the metric list (S2Q6)
        link += f" (also named, not among the model metrics: {', '.join(p['unmatched_metrics'])})"
    return link


def _pathways(pathways: Sequence[Mapping[str, Any]]) -> Blocks:
    """Each pathway's links and explanation; pathways explained by the same answers are shown together, once."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for p in pathways:
        explanation = repr((p["mechanism"], p["assumptions"], p["failure_modes"]))
        groups.setdefault(explanation, []).append(p)
    blocks: Blocks = []
    for number, group in enumerate(groups.values(), start=1):
        first = group[0]
        if len(group) == 1:
            blocks.append(heading(f"Pathway {number}: {_pathway_links(first)}", 4))
        else:
            blocks += [heading(f"Pathway {number}", 4), bullets([_pathway_links(p) for p in group])]
        blocks.append(
            fields(
                ("Mechanism", first["mechanism"]),
                ("Assumptions", first["assumptions"]),
                ("What would break the link", first["failure_modes"]),
            )
        )
    return blocks


def _threshold(metric: Mapping[str, Any]) -> str | None:
    """'at least 0.95' (a floor) or 'at most 1' (a ceiling: an error, a latency)."""
    if metric.get("threshold") is None:
        return None
    direction = str(metric.get("direction") or "at_least").replace("_", " ")
    return f"{direction} {number_text(metric['threshold'])}"


def _metric_table(metrics: Sequence[Mapping[str, Any]], how: str) -> Blocks:
    """The metrics and thresholds; one measurement method shared by every metric is said once, below the table."""
    methods = {m["measurement_method"] for m in metrics}
    if len(metrics) > 1 and len(methods) == 1:
        return [
            table(
                ["Metric", "Threshold"],
                [[m["name"], _threshold(m)] for m in metrics],
                empty="No metric recorded.",
                widths=(60, 40),
            ),
            fields((how, methods.pop())),
        ]
    return [
        table(
            ["Metric", "Threshold", how],
            [[m["name"], _threshold(m), m["measurement_method"]] for m in metrics],
            empty="No metric recorded.",
            widths=(22, 14, 64),
        )
    ]


def _metric_alignment(s: Mapping[str, Any]) -> Blocks:
    window, plan = s["actionability_window"], s["validation_plan"]
    pathways = _pathways(s["causal_pathways"])
    return [
        heading("Model metrics"),
        *_metric_table(s["model_metrics"], "How measured in production"),
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
            ("Method", _validation_method(plan)),
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
        heading("Rationale", 4) if _adds_to(box["rationale"], box["reasoning"]) else None,
        para(box["rationale"]) if _adds_to(box["rationale"], box["reasoning"]) else None,
        heading("Conditions", 4),
        bullets([c for c in box["conditions"] if c != box["committee_statement"]], "No further conditions."),
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


def _section_numbers(titles: Sequence[str]) -> str:
    """Charter sections by their numbers ('5, 7'; a section without one by its title): a row, not a list."""
    numbers = sorted({t.split(".", 1)[0] for t in titles if t.split(".", 1)[0].isdigit()}, key=int)
    others = [t for t in titles if not t.split(".", 1)[0].isdigit()]
    return ", ".join([*numbers, *others])


def _framework_coverage(s: Mapping[str, Any]) -> Blocks:
    return [
        para(s["summary"]),
        heading("Evidenced by the interview"),
        table(
            ["Subcategory", "Outcome", "Sections", "Questions (see the appendix)"],
            [[c["id"], c["summary"], _section_numbers(c["sections"]), ", ".join(c["questions"])] for c in s["covered"]],
            empty="None.",
            widths=(13, 57, 10, 20),
            css_class="compact",
        ),
        heading("Not covered by the interview"),
        # The identifiers only: the outcomes are NIST's text, and a page of them would say nothing about the project.
        para(", ".join(u["id"] for u in s["uncovered"]) + "." if s["uncovered"] else "None."),
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
        table(
            ["Principle", "Risk", "Mitigation"],
            [_principle_text_row(p) for p in s["principles"]],
            empty="None.",
            widths=(16, 42, 42),
        ),
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
            widths=(19, 10, 11, 10, 9, 12, 10, 9, 10),
            css_class="compact",
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
        heading("Audits"),
        fields(("Audit frequency", label(s["audit_frequency"]))),
        heading("Escalation and shutdown triggers"),
        bullets(s["escalation_triggers"]),
        heading("Retraining triggers"),
        bullets(s["retraining_triggers"]),
        fields(("Feedback review cadence", ", ".join(s["feedback_review_cadence"]))),
        # Each pathway lists what would break it (section 6); listing them all again here would say it twice.
        para(
            f"What would break the link between model and KPIs ({plural(len(s['kpi_link_failure_modes']), 'risk')}) "
            f"is listed with each causal pathway in {SECTION_TITLES['metric_alignment']}."
        )
        if s["kpi_link_failure_modes"]
        else None,
    ]


def _count(value: float | None) -> str | None:
    """A typed count as a person writes it (3000.0 → '3,000'); None stays empty."""
    if value is None:
        return None
    return f"{value:,.0f}" if float(value).is_integer() else number_text(value)


FINDING_SOURCES = {"rules": "rule check", "llm": "language model"}


def _finding_row(f: Mapping[str, Any]) -> list[Any]:
    acknowledged = f"yes: {f['acknowledgement_reason']}" if f["acknowledged"] else "no"
    stages = " & ".join(str(n) for n in f.get("stages") or ())
    finding = f["description"]
    if f.get("source") in FINDING_SOURCES:
        finding = f"{finding} (found by {FINDING_SOURCES[f['source']]})"
    return [
        f"{f['severity']} (stage{'s' if len(f.get('stages') or ()) > 1 else ''} {stages})" if stages else f["severity"],
        finding,
        question_refs(f.get("questions") or ()),
        f["recommendation"],
        acknowledged,
    ]


def _open_issues(s: Mapping[str, Any]) -> Blocks:
    note = s["consistency_note"]
    return [
        heading("Escalated answers"),
        table(
            ["Question", "Answer accepted after the last attempt"],
            [[e["question"], _answer_cell(e["question_id"], e["answer"])] for e in s["escalated_answers"]],
            empty="None.",
            pre_columns=[1],
            widths=(40, 60),
        ),
        heading("Acknowledged concerns"),
        table(
            ["Stage", "Concern", "Reason given"],
            [[c["stage"], c["message"] or c["key"], c["reason"]] for c in s["acknowledged_concerns"]],
            empty="None.",
            widths=(8, 46, 46),
        ),
        heading("Consistency findings"),
        para(note) if note else None,
        table(
            ["Severity", "Finding", "Rests on", "Recommendation", "Acknowledged"],
            [_finding_row(f) for f in s["consistency_findings"]],
            empty="None.",
            widths=(9, 29, 22, 18, 22),
            css_class="compact",
        ),
    ]


VALIDATION_METHODS = {"ab_test": "A/B test against a control group", "before_after": "before/after comparison"}


def _validation_method(plan: Mapping[str, Any]) -> str:
    """The method in words; a plan that is neither an A/B test nor a before/after comparison is as described."""
    if plan.get("method"):
        return VALIDATION_METHODS.get(plan["method"], label(plan["method"]))
    return "as described below" if plan.get("method_description") else ""


def _answer_id(a: Mapping[str, Any]) -> str:
    return f"{a['question_id']} #{a['item'] + 1}" if a["item"] else str(a["question_id"])


def _answer_cell(question_id: str, answer: str) -> Cell:
    """A list answer (stored one item per line) as a list; any other answer as its text."""
    lines = [line for line in (answer or "").split("\n") if line.strip()]
    if _is_list_question(question_id) and len(lines) > 1:
        return tuple(lines)
    return answer


def _appendix(s: Mapping[str, Any]) -> Blocks:
    blocks: Blocks = []
    for stage in s["stages"]:
        answers = stage["answers"]
        blocks += [
            heading(f"Stage {stage['stage']}: {stage['title']}"),
            table(
                ["Id", "Question", "Final answer"],
                [[_answer_id(a), a["question"], _answer_cell(a["question_id"], a["answer"])] for a in answers],
                empty="No answers.",
                pre_columns=[2],
                widths=(9, 33, 58),
                anchors=[answer_anchor(a["question_id"], a["item"]) for a in answers],
            ),
        ]
    return blocks


def _approval(s: Mapping[str, Any]) -> Blocks:
    signoffs = s.get("signoffs") or []
    if "signoffs_required" in s:  # a stored version: its sign-offs, or how many it still needs
        required = int(s.get("signoffs_required") or 0)
        needed = f"{required} sign-off{'s' if required != 1 else ''}"
        if required == 0:
            status = "This decision cannot be approved: a halted project is not signed off."
        elif s.get("approved"):
            status = f"Approved: {len(signoffs)} of {needed}."
        else:
            status = f"{len(signoffs)} of {needed} so far; not yet approved."
        return [
            table(
                ["Reviewer", "Signed", "Comment"],
                [[o["name"], date_text(o["signed_at"], missing=""), o["comment"]] for o in signoffs],
                empty="No sign-offs yet.",
                widths=(25, 18, 57),
            ),
            para(status, css_class="meta"),
        ]
    approved_at = date_text(s["approved_at"], missing="") if s["approved_at"] else None
    return [
        fields(("Approver", s["approver_name"]), ("Date", approved_at), ("Comment", s["comment"]), sign_off=True),
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


# Sections printed after the main body, and left out of a download with ``appendix=False``.
APPENDIX_SECTIONS = frozenset({"appendix"})


def charter_outline(content: Mapping[str, Any], *, appendix: bool = True) -> Outline:
    """The whole charter as blocks: the main body in document order (`content.SECTIONS`), the approval block
    closing it, then the appendix (questions and final answers) unless ``appendix`` is false."""
    writer = "the offline templates" if content.get("narrative_source") == "offline" else "a language model"
    meta = (
        f"Version {content['version']} · generated {date_text(content.get('generated_at'))} · narrative written "
        f"by {writer} from the stored answers; every table and figure comes from the answers."
    )
    sections = content["sections"]
    if content.get("narrative_source") == "offline" and "executive_summary" in sections:
        # The offline summary is the fields above it in one paragraph: shown, it would say everything twice.
        sections = {**sections, "executive_summary": {**sections["executive_summary"], "summary": ""}}
    keys = [key for key, _ in SECTIONS if key not in APPENDIX_SECTIONS]
    keys += [key for key, _ in SECTIONS if key in APPENDIX_SECTIONS and appendix]
    titles = dict(SECTIONS)
    decision = content.get("decision") or {}
    return Outline(
        title=f"AI Project Charter: {content['project_name']}",
        meta=meta,
        sections=tuple(
            Section(key, sections[key].get("title") or titles[key], _present(SECTION_BLOCKS[key](sections[key])))
            for key in keys
            if key in sections  # versions made before a section existed stay as they were
        ),
        decision=str(decision.get("decision") or ""),
        decision_label=str(decision.get("label") or ""),
        project_name=str(content.get("project_name") or ""),
        version=int(content.get("version") or 0),
    )
