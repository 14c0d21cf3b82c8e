"""The charter's renderings: Markdown, JSON, a standalone print-ready HTML document, and PDF (WeasyPrint).

Each reads only the structured content from `content.build_charter_content`; nothing is recomputed here. What the
sections show is described once, in `outline.py`: the Markdown below and the HTML template
(`sessions_app/charter/document.html`, also the PDF's source) render its blocks and know no section.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify

from sessions_app.charter.content import CHARTER_SCHEMA_VERSION
from sessions_app.charter.outline import (
    EMPTY,
    Block,
    Bullets,
    Callout,
    Fields,
    Heading,
    Paragraph,
    Table,
    charter_outline,
)

HTML_TEMPLATE = "sessions_app/charter/document.html"
# WeasyPrint logs every layout step at INFO; its warnings (unsupported CSS, missing fonts) still get through.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


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


def _md_text(value: str) -> str:
    """Text that stays on one line and cannot end a table cell: pipes escaped, line breaks as `<br>`."""
    return value.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _md_spans(paragraph: Paragraph) -> str:
    marks = {"": "", "strong": "**", "code": "`"}
    return "".join(f"{marks[span.style]}{span.text}{marks[span.style]}" for span in paragraph.spans)


def _md_table(block: Table) -> list[str]:
    rows = [list(row) for row in block.rows] or [[block.empty, *("" for _ in block.headers[1:])]]
    lines = ["| " + " | ".join(block.headers) + " |", "|" + "|".join(" --- " for _ in block.headers) + "|"]
    return lines + ["| " + " | ".join(_md_text(cell) for cell in row) + " |" for row in rows]


def _md_block(block: Block) -> list[str]:
    """One block as Markdown lines, followed by the blank line that separates blocks."""
    match block:
        case Heading():
            lines = ["#" * block.level + " " + block.text]
        case Fields():
            # A multi-line value continues, indented, inside its list item.
            lines = [
                f"- **{f.label}:** " + _md_text("; ".join(f.lines) or EMPTY).replace("<br>", "\n  ") for f in block.rows
            ]
        case Table():
            lines = _md_table(block)
        case Bullets():
            lines = [f"- {_md_text(item).replace('<br>', ' ')}" for item in block.items or (block.empty,)]
        case Paragraph():
            lines = [_md_spans(block)]
        case Callout():
            inner = "\n".join(line for child in block.blocks for line in _md_block(child)).rstrip("\n")
            lines = [f"> {line}" if line else ">" for line in inner.split("\n")]
    return [*lines, ""]


def to_markdown(content: Mapping[str, Any]) -> str:
    """The charter as Markdown: one `##` heading per section, tables as pipe tables, the decision as a quote."""
    outline = charter_outline(content)
    lines = [f"# {outline.title}", "", outline.meta, ""]
    for section in outline.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += _md_block(block)
    return "\n".join(lines).rstrip() + "\n"


# --- HTML and PDF --------------------------------------------------------------------------------------------


def to_html(content: Mapping[str, Any]) -> str:
    """A standalone, print-ready HTML document (inline print stylesheet; not served under the app's CSP)."""
    return render_to_string(HTML_TEMPLATE, {"content": content})


def to_pdf(content: Mapping[str, Any]) -> bytes:
    """The HTML document printed to PDF by WeasyPrint (needs Pango: see docs/DEPLOYMENT or the Dockerfile)."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only PDF exports need it

    return HTML(string=to_html(content)).write_pdf()
