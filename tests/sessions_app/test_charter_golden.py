"""Golden charters: two complete interviews (churn, hospital triage) rendered to Markdown and compared section by
section with reviewed expected output in ``tests/sessions_app/golden/*.md``; the appendix holds every final answer
exactly once; the PDF's main body fits in 12 A4 pages and no page of it is near-empty.

After a deliberate change to the charter, regenerate the expected files and READ the diff before committing it:
``UPDATE_GOLDEN=1 pytest tests/sessions_app/test_charter_golden.py``.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from sessions_app.charter.consistency import rule_findings
from sessions_app.charter.content import build_charter_content
from sessions_app.charter.deliverables import deliverables_from_answers
from sessions_app.charter.outline import charter_outline
from sessions_app.charter.rendering import to_markdown, to_pdf
from sessions_app.interview.answer_set import AnswerSet
from tests.sessions_app.churn_answers import churn_answer_values
from tests.sessions_app.hospital_answers import hospital_answer_values

GOLDEN = Path(__file__).parent / "golden"
MAX_BODY_PAGES = 12
# A page of the main body holding fewer characters than this is "near-empty" (a heading alone, a stray row).
NEAR_EMPTY_CHARS = 400
PROJECTS: dict[str, tuple[str, Callable[[], dict[tuple[str, int], dict[str, Any]]]]] = {
    "churn": ("Kestrel Fibre churn", churn_answer_values),
    "hospital": ("Chest X-ray triage", hospital_answer_values),
}


def golden_content(project: str) -> dict[str, Any]:
    name, answer_values = PROJECTS[project]
    values = answer_values()
    deliverables = deliverables_from_answers(AnswerSet.from_values(values))
    return build_charter_content(
        project_name=name,
        deliverables=deliverables,
        answers=values,
        findings=rule_findings(deliverables),
        version=1,
        generated_at="2025-07-01T10:00:00+00:00",
    )


def sections(markdown: str) -> dict[str, str]:
    """The Markdown split at its `##` headings: heading → text (the title and meta line under '')."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    found = {"": parts[0]}
    found.update({title: text for title, text in zip(parts[1::2], parts[2::2], strict=True)})
    return found


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def project(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def content(project) -> dict[str, Any]:
    return golden_content(project)


def test_markdown_matches_the_reviewed_charter_section_by_section(project, content):
    rendered = to_markdown(content)
    path = GOLDEN / f"{project}.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"No golden file {path.name}: run with UPDATE_GOLDEN=1 and review it."
    expected, actual = sections(path.read_text(encoding="utf-8")), sections(rendered)
    assert list(actual) == list(expected)
    for title in expected:
        assert actual[title] == expected[title], f"Section {title!r} differs from {path.name}"


def test_no_escape_sequences_raw_ids_or_machine_formats_in_the_body(content):
    body = to_markdown(content, appendix=False)
    assert "\\n" not in body and "\\t" not in body
    assert not re.search(r"\bS\dQ\d+#\d", body)  # answer keys
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", body)  # ISO timestamps
    assert not re.search(r"\$0\.0000", body)
    # (the consistency findings' own wording is the checks' to get right: tests/sessions_app/test_consistency.py)
    tables = body.split("### Consistency findings")[0] + body.split("## Framework coverage")[-1]
    assert not re.search(r"\b1 (minutes|hours|days|weeks|months|quarters|years)\b", tables)
    assert not re.search(r"\b(proceed_with_monitoring|submit_to_committee|with_conditions|non_technical)\b", body)


def test_every_final_answer_appears_in_the_appendix_exactly_once(project, content):
    _, answer_values = PROJECTS[project]
    (appendix,) = charter_outline(content).appendix
    anchors = [anchor for block in appendix.blocks if hasattr(block, "anchors") for anchor in block.anchors]
    expected = {f"answer-{qid}" if not item else f"answer-{qid}-{item + 1}" for qid, item in answer_values()}
    assert sorted(anchors) == sorted(expected)  # every answered question, once
    assert len(anchors) == len(set(anchors))


def test_pdf_body_fits_in_twelve_pages_with_no_near_empty_page(content):
    body = PdfReader(io.BytesIO(to_pdf(content, appendix=False)))
    assert len(body.pages) <= MAX_BODY_PAGES
    texts = [page.extract_text() or "" for page in body.pages]
    sparse = [number for number, text in enumerate(texts[:-1], start=1) if len(text.strip()) < NEAR_EMPTY_CHARS]
    assert sparse == []  # the last page may be short
    whole = PdfReader(io.BytesIO(to_pdf(content)))
    assert len(whole.pages) > len(body.pages)  # the appendix follows the body
    assert "Appendix: questions and final answers" in (whole.pages[len(body.pages)].extract_text() or "")
    assert whole.metadata.title and "AI Project Charter" in whole.metadata.title
