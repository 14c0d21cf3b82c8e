"""The charter as a Word document (.docx, python-docx), from the same outline as the Markdown, HTML and PDF.

Sections are Heading 1, the outline's headings Heading 2 and 3, tables real Word tables (header row repeated on
every page) and lists real bulleted lists, so that a reviewer can navigate by headings, comment and track
changes in Word or LibreOffice.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import Table as WordTable

from sessions_app.charter.outline import (
    EMPTY,
    Block,
    Bullets,
    Callout,
    Fields,
    Heading,
    Paragraph,
    Ref,
    Table,
    charter_outline,
)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Outline heading level (3, 4) → Word heading level; the sections themselves are Heading 1.
_HEADING_LEVELS = {3: 2, 4: 3}


def _repeat_header(table: WordTable) -> None:
    """Mark the first row as a header row, repeated at the top of every page the table spans."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _cell_lines(value: str | tuple[str | Ref, ...]) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item.text if isinstance(item, Ref) else item for item in value]


def _write_table(doc: WordDocument, block: Table) -> None:
    rows = [list(row) for row in block.rows] or [[block.empty, *("" for _ in block.headers[1:])]]
    table = doc.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    _repeat_header(table)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            lines = _cell_lines(value)
            bulleted = not isinstance(value, str) and len(lines) > 1
            cell.text = ""
            first = cell.paragraphs[0]
            for number, line in enumerate(lines):
                paragraph = first if number == 0 else cell.add_paragraph()
                paragraph.add_run(f"• {line}" if bulleted else line)
    doc.add_paragraph()


def _write_fields(doc: WordDocument, block: Fields) -> None:
    for field in block.rows:
        if field.is_list:
            doc.add_paragraph().add_run(f"{field.label}:").bold = True
            for line in field.lines:
                doc.add_paragraph(line, style="List Bullet")
            continue
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{field.label}: ").bold = True
        value = "\n".join(field.lines)
        paragraph.add_run(value if value or not block.sign_off else "____________________")


def _write_blocks(doc: WordDocument, blocks: Iterable[Block], *, quote: bool = False) -> None:
    for block in blocks:
        match block:
            case Heading():
                doc.add_heading(block.text, level=_HEADING_LEVELS.get(block.level, 3))
            case Fields():
                _write_fields(doc, block)
            case Table():
                _write_table(doc, block)
            case Bullets():
                for item in block.items or (block.empty,):
                    doc.add_paragraph(item, style="List Bullet")
            case Paragraph():
                paragraph = doc.add_paragraph(style="Intense Quote" if quote and block.css_class else None)
                for span in block.spans:
                    run = paragraph.add_run(span.text)
                    run.bold = span.style == "strong"
                    if span.style == "code":
                        run.font.name = "Courier New"
            case Callout():
                _write_blocks(doc, block.blocks, quote=True)


def to_docx(content: Mapping[str, Any], *, appendix: bool = True) -> bytes:
    """The charter as .docx bytes: title, meta line, decision, then every section of the outline."""
    outline = charter_outline(content, appendix=appendix)
    doc = Document()
    doc.core_properties.title = f"{outline.title} (version {outline.version})"
    doc.core_properties.subject = "AI Project Charter"
    doc.core_properties.language = "en"
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    doc.add_heading(outline.title, level=0)
    meta = doc.add_paragraph().add_run(outline.meta)
    meta.font.size = Pt(8.5)
    meta.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    if outline.decision_label:
        doc.add_paragraph().add_run(f"Governance decision (advisory): {outline.decision_label}").bold = True
    for section in outline.sections:
        doc.add_heading(section.title or EMPTY, level=1)
        _write_blocks(doc, section.blocks)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
