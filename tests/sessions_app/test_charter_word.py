"""The Word export: the charter's sections as real headings and tables a reviewer can comment on, downloaded from
the version's stored file like the PDF."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from sessions_app.charter import word
from sessions_app.charter.word import DOCX_CONTENT_TYPE, to_docx
from sessions_app.models import CharterExport, RunStatus, StageRun
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview
from tests.sessions_app.test_charter_api import SECTION_HEADINGS
from tests.sessions_app.test_charter_content import charter


@pytest.fixture(scope="module")
def churn_docx() -> Any:
    return Document(io.BytesIO(to_docx(charter())))


def _headings(doc: Any, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def test_sections_are_real_headings_in_order(churn_docx):
    top = _headings(churn_docx, 1)
    positions = [next(i for i, text in enumerate(top) if heading in text) for heading in SECTION_HEADINGS]
    assert positions == sorted(positions)
    assert "KPIs" in _headings(churn_docx, 2)


def test_tables_carry_the_users_values_without_escape_sequences(churn_docx):
    kpis = next(t for t in churn_docx.tables if t.rows[0].cells[0].text == "KPI")
    assert [c.text for c in kpis.rows[0].cells][:3] == ["KPI", "Baseline", "Target"]
    assert kpis.rows[1].cells[1].text == "2.3 %" and kpis.rows[1].cells[2].text == "1.9 %"
    text = "\n".join(p.text for p in churn_docx.paragraphs) + "".join(
        cell.text for table in churn_docx.tables for row in table.rows for cell in row.cells
    )
    assert "\\n" not in text and "S4Q20#0" not in text


def test_document_properties_name_the_charter(churn_docx):
    assert churn_docx.core_properties.title.startswith("AI Project Charter")
    assert churn_docx.core_properties.language == "en"


def test_the_appendix_is_optional():
    without = Document(io.BytesIO(to_docx(charter(), appendix=False)))
    assert not any("Appendix" in text for text in _headings(without, 1))
    assert any("Appendix" in text for text in _headings(Document(io.BytesIO(to_docx(charter()))), 1))


@pytest.mark.django_db
def test_download_reads_the_file_stored_by_the_generation_run(api, user, run_tasks, monkeypatch):
    session = make_session(user, project_name="Harbour pilots")
    complete_interview(session)
    response = run_tasks(api.post, f"/api/v1/sessions/{session.id}/charter")
    assert StageRun.objects.get(pk=response.json()["run_id"]).status == RunStatus.SUCCEEDED
    assert CharterExport.objects.filter(charter__session=session, format="docx").exists()

    def no_render(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a download must not render the document again")

    monkeypatch.setattr(word, "to_docx", no_render)
    download = api.get(f"/api/v1/sessions/{session.id}/charter.docx")
    assert download.status_code == 200 and download["Content-Type"] == DOCX_CONTENT_TYPE
    assert 'filename="harbour-pilots-charter-v1.docx"' in download["Content-Disposition"]
    doc = Document(io.BytesIO(download.content))
    assert any("Executive summary" in text for text in _headings(doc, 1))
