"""The charter's renderings: Markdown (every heading, the KPI values, well-formed tables), JSON (schema-versioned),
standalone HTML with a print stylesheet, PDF through WeasyPrint, and the download file names."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.template.loader import render_to_string

from sessions_app.charter import outline
from sessions_app.charter.content import (
    ADVISORY_STATEMENT,
    COMMITTEE_STATEMENT,
    DECISION_LABELS,
    SECTIONS,
    answer_text,
    build_charter_content,
)
from sessions_app.charter.deliverables import deliverables_from_answers
from sessions_app.charter.rendering import charter_filename, to_html, to_json, to_markdown, to_pdf
from sessions_app.interview.answer_set import AnswerSet
from sessions_app.interview.question_bank import question
from tests.sessions_app.churn_answers import CHURN_ANSWERS, churn_answer_values
from tests.sessions_app.test_charter_content import SCENARIOS, charter, fragments

# Rule ids of earlier versions looked like "1_any_critical"; today's look like "residual_critical". Neither is shown.
OLD_RULE_ID = re.compile(r"\b\d_[a-z]+(?:_[a-z]+)*\b")
DECISION_SLUGS = ("proceed_with_monitoring", "submit_to_committee")


def _box(content: dict[str, Any]) -> dict[str, Any]:
    return content["sections"]["ethical_review"]["decision_box"]


def _shown(page: str) -> str:
    """The text of an HTML page a reader sees (tags dropped, entities decoded)."""
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def assert_no_internal_ids(content: dict[str, Any], text: str) -> None:
    """No rule id that fired, no old-style rule id, no decision slug in what a reader sees."""
    fired = {rule["rule"] for rule in _box(content)["rules_fired"]}
    assert fired and not [rule for rule in fired if rule in text]
    assert not OLD_RULE_ID.search(text)
    assert not [slug for slug in DECISION_SLUGS if slug in text]


@pytest.fixture(scope="module")
def churn_charter() -> dict[str, Any]:
    return charter()


@pytest.fixture(scope="module")
def markdown(churn_charter) -> str:
    return to_markdown(churn_charter)


def test_markdown_has_every_section_heading_in_order_with_the_appendix_last(markdown, churn_charter):
    headings = [line[3:] for line in markdown.splitlines() if line.startswith("## ")]
    appendix = "Appendix: questions and final answers"
    assert headings == [title for _, title in SECTIONS if title != appendix] + [appendix]
    assert markdown.startswith("# AI Project Charter: Kestrel Fibre churn\n")
    # without the appendix: the same body, nothing after the approval block
    body = to_markdown(churn_charter, appendix=False)
    assert appendix not in body and markdown.startswith(body.rstrip("\n").rsplit("\n## Approval", 1)[0])


def test_markdown_kpi_table_carries_the_users_values(markdown):
    rows = [
        line
        for line in markdown.splitlines()
        if line.startswith("| Monthly churn rate") or line.startswith("| Retention save")
    ]
    assert "| 2.3 % | 1.9 % | 2 quarters |" in rows[0]
    assert "| 31 % | 40 % | 3 months |" in rows[1]


def test_markdown_tables_keep_their_columns_when_answers_contain_pipes_and_newlines(markdown):
    # S3Q1 is written as "name | kind | location" and lists span lines: both must stay inside one cell.
    for block in re.split(r"\n\n", markdown):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
        assert len(widths) <= 1, block
    assert "billing \\| database \\| PostgreSQL billing database" in markdown


def test_markdown_drops_nothing_the_user_entered(markdown):
    text = markdown.replace("\\|", "|").lower()
    missing = [
        (key, piece)
        for key, stored in churn_answer_values().items()
        for piece in fragments(answer_text(stored, question(key[0])))  # as a person reads it: labels, 9,000
        if piece.lower() not in text
    ]
    assert missing == []
    assert len([line for line in markdown.splitlines() if re.match(r"\| S\dQ\d+", line)]) == len(CHURN_ANSWERS)


def test_markdown_decision_box_for_halt_is_advisory_and_requires_committee_review():
    content = charter(SCENARIOS["halt"])
    text = to_markdown(content)
    assert "> **Decision: Halt**\n" in text and "`halt`" not in text
    assert f"> **{COMMITTEE_STATEMENT}**\n" in text  # the committee banner, right under the decision
    assert "- **Governance decision:** Halt — committee review required\n" in text  # executive summary
    assert ADVISORY_STATEMENT in text
    # the reasons in plain words, under "Why": the decisive one first
    first = "> - Even after mitigation, the Fairness & equity risk stays critical. This sets the decision: halt.\n"
    assert f"> #### Why\n>\n{first}" in text
    for reason in _box(content)["reasoning"]:
        assert f"> - {reason}\n" in text
    assert "> - **Tier:** Minimal risk\n" in text
    assert_no_internal_ids(content, text)


def test_markdown_for_proceed_has_no_committee_statement():
    content = charter(SCENARIOS["proceed"])
    text = to_markdown(content)
    assert "> **Decision: Proceed**\n" in text and COMMITTEE_STATEMENT not in text
    assert "- **Governance decision:** Proceed\n" in text
    assert ADVISORY_STATEMENT in text
    assert (
        "> - No rule raises a concern: every risk is low after mitigation. This sets the decision: proceed.\n" in text
    )
    page = to_html(content)
    assert 'class="decision-box"' in page and html_lib.escape(COMMITTEE_STATEMENT) not in page
    assert html_lib.escape(ADVISORY_STATEMENT) in page


def test_json_is_the_full_schema_versioned_content(churn_charter):
    data = json.loads(to_json(churn_charter))
    assert data == churn_charter
    assert data["schema_version"] == 1 and data["document"] == "uaip.ai_project_charter"


def test_html_is_a_standalone_printable_document(churn_charter):
    html = to_html(churn_charter)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style and "@media print" in style.group(1) and "@page" in style.group(1)
    assert not re.search(r"""(?:src|href)=["']https?://""", html)  # nothing loaded from elsewhere
    for _, title in SECTIONS:
        assert f">{title.replace('&', '&amp;')}</h2>" in html
    assert "<td>2.3 %</td><td>1.9 %</td><td>2 quarters</td>" in html
    # the churn project is submitted to the committee (fairness is critical before mitigation)
    assert html_lib.escape(ADVISORY_STATEMENT) in html and html_lib.escape(COMMITTEE_STATEMENT) in html


def test_html_escapes_user_text():
    values = {("S1Q1", 0): "Customers <script>alert(1)</script> leave & we lose about €480 each, 2.3% a month."}
    html = to_html(charter(values))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_html_decision_box_for_committee():
    html = to_html(charter(SCENARIOS["submit_to_committee"]))
    assert 'class="decision-box committee"' in html and "Decision: Submit to committee" in html
    assert COMMITTEE_STATEMENT in html


# --- One source: both renderings come from the outline ----------------------------------------------------------


def _outline_text(block: outline.Block) -> Iterator[str]:
    """Every piece of text a block shows."""
    match block:
        case outline.Heading():
            yield block.text
        case outline.Fields():
            for field in block.rows:
                yield field.label
                yield from field.lines
        case outline.Table():
            yield from block.headers
            cells = [outline.cell_text(cell, "\n") for row in block.rows for cell in row]
            yield from (line for value in cells for line in value.split("\n")) if block.rows else (block.empty,)
        case outline.Bullets():
            yield from block.items or (block.empty,)
        case outline.Paragraph():
            yield "".join(span.text for span in block.spans)
        case outline.Callout():
            for child in block.blocks:
                yield from _outline_text(child)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _unanswered() -> dict[str, Any]:
    """A charter with nothing answered: every 'none recorded' branch."""
    empty = deliverables_from_answers(AnswerSet.from_values({}))
    return build_charter_content(project_name="Empty", deliverables=empty, answers={}, version=1, generated_at=None)


@pytest.mark.parametrize("scenario", ["churn", "halt", "unanswered"])
def test_markdown_and_html_show_every_piece_of_the_outline(scenario):
    content = _unanswered() if scenario == "unanswered" else charter(SCENARIOS.get(scenario))
    # Markdown and HTML markup dropped, so that only what a reader sees is compared.
    markdown = re.sub(r"\n>", "\n", to_markdown(content)).replace("**", "").replace("`", "")
    markdown = _plain(markdown.replace("\\|", "|").replace("<br>", " "))
    page = re.sub(r"<[^>]+>", " ", re.sub(r"</?(?:strong|code)>", "", to_html(content)))
    page = _plain(html_lib.unescape(page).replace("\\n", " "))
    for section in outline.charter_outline(content).sections:
        assert _plain(section.title) in markdown and _plain(section.title) in page
        for block in section.blocks:
            for piece in map(_plain, _outline_text(block)):
                assert piece in markdown, (section.key, piece)
                assert piece in page, (section.key, piece)


def test_a_field_added_to_the_outline_appears_in_markdown_html_and_the_page(monkeypatch, churn_charter):
    build = outline.SECTION_BLOCKS["executive_summary"]
    monkeypatch.setitem(
        outline.SECTION_BLOCKS,
        "executive_summary",
        lambda s: [*build(s), outline.fields(("Sponsor", "Dana <CFO> | finance"))],
    )
    # `<CFO>` would be a live tag in Markdown, so its `<` is an entity (test_charter_markdown_safety.py).
    assert "- **Sponsor:** Dana &lt;CFO> \\| finance" in to_markdown(churn_charter)
    html = "<dt>Sponsor</dt><dd>Dana &lt;CFO&gt; | finance</dd>"
    assert html in to_html(churn_charter)
    assert html in render_to_string("sessions_app/charter/document.html#charter-body", {"content": churn_charter})


def test_approval_is_a_blank_sign_off_table_until_someone_approves(churn_charter):
    html = to_html(churn_charter)
    assert '<table class="approval">' in html and '<th scope="row">Approver</th><td></td>' in html
    assert "Not yet approved." in html
    assert "- **Approver:** —" in to_markdown(churn_charter)
    approved = charter(approval={"approver_name": "Dana Ruiz", "approved_at": "2026-11-20", "comment": "Go"})
    assert '<th scope="row">Approver</th><td>Dana Ruiz</td>' in to_html(approved)
    assert "Not yet approved." not in to_markdown(approved)


@pytest.mark.parametrize("decision", list(SCENARIOS))
def test_both_renderings_name_the_decision_in_plain_words(decision):
    content = charter(SCENARIOS[decision])
    box = _box(content)
    assert box["decision"] == decision
    label = DECISION_LABELS[decision]
    markdown, page = to_markdown(content), to_html(content)
    assert f"> **Decision: {label}**\n" in markdown
    assert f'<p class="decision"><strong>Decision: {label}</strong></p>' in page
    # the label only: the decision code is not printed next to it
    assert f"`{decision}`" not in markdown and f"<code>{decision}</code>" not in page
    # the reasons under "Why", and the EU AI Act tier, in both renderings
    assert "> #### Why\n" in markdown and "<h4>Why</h4>" in page
    for reason in box["reasoning"]:
        assert f"> - {reason}\n" in markdown and f"<li>{html_lib.escape(reason)}</li>" in page
    tier = box["eu_ai_act_tier_label"]
    assert f"> - **Tier:** {tier}\n" in markdown and f"<dt>Tier</dt><dd>{tier}</dd>" in page
    for text in (markdown, _shown(page)):
        assert_no_internal_ids(content, text)


def test_a_high_risk_tier_is_shown_with_its_reasons_and_obligations():
    # an Annex III area (essential services) and the system profiles people: no Art. 6(3) exemption can apply
    content = charter({("S5Q42", 0): "essential_services", ("S5Q43", 0): "none"})
    box = _box(content)
    assert box["eu_ai_act_tier"] == "high" and box["requires_committee_review"]
    markdown, page = to_markdown(content), to_html(content)
    assert "> - **Tier:** High-risk\n" in markdown and "<dt>Tier</dt><dd>High-risk</dd>" in page
    assert "> #### Obligations of the tier\n" in markdown and "<h4>Obligations of the tier</h4>" in page
    assert box["eu_ai_act_reasons"] and len(box["eu_ai_act_obligations"]) > 1
    for line in (*box["eu_ai_act_reasons"], *box["eu_ai_act_obligations"]):
        assert f"> - {line}\n" in markdown and f"<li>{html_lib.escape(line)}</li>" in page
    assert box["eu_ai_act_note"] and box["eu_ai_act_note"] in markdown  # advisory, not legal advice
    assert "> - Under the EU AI Act this is a high-risk system" in markdown  # a reason for the decision too
    assert "- **Annex III area:** essential services\n" in markdown  # the team's answer, in words
    assert_no_internal_ids(content, markdown)


def test_framework_coverage_lists_covered_and_uncovered_subcategories(markdown, churn_charter):
    coverage = churn_charter["sections"]["framework_coverage"]
    assert coverage["covered"] and coverage["uncovered"]
    assert f"{coverage['summary']}\n" in markdown
    for row in coverage["covered"]:
        # the sections by number, in order, on one line: "5, 7" for "7. Ethical review" and "5. User context"
        sections = ", ".join(sorted((name.split(".")[0] for name in row["sections"]), key=int))
        assert f"| {row['id']} | {row['summary']} | {sections} | {', '.join(row['questions'])} |" in markdown
    # the uncovered subcategories by identifier, in one sentence
    assert ", ".join(row["id"] for row in coverage["uncovered"]) + ".\n" in markdown
    # evidence is only what was answered: the Art. 6(3) exemption is not asked of the churn project
    (legal,) = [row for row in coverage["covered"] if row["id"] == "GOVERN 1.1"]
    assert "S5Q42" in legal["questions"] and "S5Q43" not in legal["questions"]


def test_pdf_is_a_pdf(churn_charter):
    pdf = to_pdf(churn_charter)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000


@pytest.mark.parametrize(
    ("name", "version", "ext", "expected"),
    [
        ("Kestrel Fibre churn", 1, "md", "kestrel-fibre-churn-charter-v1.md"),
        ("Kestrel Fibre: Churn <Pilot> 2025!", 3, "pdf", "kestrel-fibre-churn-pilot-2025-charter-v3.pdf"),
        ("Prévision de l'attrition", 2, ".json", "prevision-de-lattrition-charter-v2.json"),
        ("!!!", 4, "md", "project-charter-v4.md"),
    ],
)
def test_charter_filename(name, version, ext, expected):
    assert charter_filename(name, version, ext) == expected
