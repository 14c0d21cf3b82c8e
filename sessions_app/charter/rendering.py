"""The charter's renderings: Markdown, JSON, a standalone print-ready HTML document, and PDF (WeasyPrint).

Each reads only the structured content from `content.build_charter_content`; nothing is recomputed here. What the
sections show is described once, in `outline.py`: the Markdown below and the HTML template
(`sessions_app/charter/document.html`, also the PDF's source) render its blocks and know no section.
"""

from __future__ import annotations

import html
import json
import logging
import re
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
    Cell,
    Fields,
    Heading,
    Paragraph,
    Ref,
    Span,
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


# Answers are the user's text, and a charter's Markdown is read by whatever renders it (a Git host, a wiki, an
# editor's preview), many of which pass raw HTML and any link through. So text from the content never becomes
# markup: a `<` that would open a tag (or an autolink) is written `&lt;`, and a link or image whose target is not
# http(s), mailto or tel (`javascript:`, `data:`, `vbscript:`…, even spelled with entities or blanks) loses its
# closing `]`, written `&#93;`, so it stays text. Everything else is left as typed: "a < b", "R&D", "x > y" and
# ordinary links read the same.
_TAG_OPENER = re.compile(r"<(?=[A-Za-z/!?])")
_LINK_TARGET = re.compile(r"\](?=\s*[(:]\s*(?:<(?P<angled>[^>]*)|(?P<bare>[^\s)]*)))")
_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_BLANKS = re.compile(r"[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]+")


def _unsafe_target(target: str) -> bool:
    """Whether a link target, as a browser would read it (entities decoded, blanks and escapes dropped), has a
    scheme other than the safe ones."""
    seen = _BLANKS.sub("", html.unescape(html.unescape(target))).replace("\\", "").lstrip("<").lower()
    scheme = _SCHEME.match(seen)
    return scheme is not None and scheme.group(1) not in _SAFE_SCHEMES


def _md_safe(value: str) -> str:
    """Content text with no live HTML and no dangerous links (see above); otherwise unchanged."""
    value = _TAG_OPENER.sub("&lt;", value)
    return _LINK_TARGET.sub(
        lambda m: "&#93;" if _unsafe_target(m.group("angled") or m.group("bare") or "") else "]", value
    )


def _md_text(value: str) -> str:
    """Safe text that stays on one line and cannot end a table cell: pipes escaped, line breaks as `<br>`."""
    return _md_safe(value).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _md_code(value: str) -> str:
    """A code span that no backtick in ``value`` can close early (nothing is markup inside a code span)."""
    value = " ".join(value.splitlines())
    fence = "`" * (max((len(run) for run in re.findall("`+", value)), default=0) + 1)
    padding = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{padding}{value}{padding}{fence}"


def _md_spans(paragraph: Paragraph) -> str:
    def span_text(span: Span) -> str:
        if span.style == "code":
            return _md_code(span.text)
        mark = "**" if span.style == "strong" else ""
        return f"{mark}{_md_safe(span.text)}{mark}"

    return "".join(span_text(span) for span in paragraph.spans)


def _md_cell(value: Cell) -> str:
    """A cell on one line: a list's items as '• item' lines joined with `<br>`."""
    if isinstance(value, str):
        return _md_text(value)
    items = [_md_text(item.text if isinstance(item, Ref) else item) for item in value]
    return "<br>".join(f"• {item}" for item in items) if len(items) > 1 else "".join(items)


def _md_table(block: Table) -> list[str]:
    rows: list[list[Cell]] = [list(row) for row in block.rows] or [[block.empty, *("" for _ in block.headers[1:])]]
    headers = [_md_text(header) for header in block.headers]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    return lines + ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]


def _md_block(block: Block) -> list[str]:
    """One block as Markdown lines, followed by the blank line that separates blocks."""
    match block:
        case Heading():
            lines = ["#" * block.level + " " + _md_text(block.text).replace("<br>", " ")]
        case Fields():
            # A multi-line value continues, indented, inside its list item; a list value is a nested list.
            lines = []
            for f in block.rows:
                if f.is_list:
                    lines.append(f"- **{_md_text(f.label)}:**")
                    lines += [f"  - {_md_text(line).replace('<br>', ' ')}" for line in f.lines]
                else:
                    value = _md_text("; ".join(f.lines) or EMPTY).replace("<br>", "\n  ")
                    lines.append(f"- **{_md_text(f.label)}:** {value}")
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


def to_markdown(content: Mapping[str, Any], *, appendix: bool = True) -> str:
    """The charter as Markdown: one `##` heading per section, tables as pipe tables, the decision as a quote."""
    outline = charter_outline(content, appendix=appendix)
    lines = [f"# {_md_text(outline.title).replace('<br>', ' ')}", "", _md_safe(outline.meta), ""]
    if outline.decision_label:
        lines += [f"**Governance decision (advisory): {_md_safe(outline.decision_label)}**", ""]
    for section in outline.sections:
        lines += [f"## {_md_text(section.title).replace('<br>', ' ')}", ""]
        for block in section.blocks:
            lines += _md_block(block)
    return "\n".join(lines).rstrip() + "\n"


# --- HTML and PDF --------------------------------------------------------------------------------------------


def to_html(content: Mapping[str, Any], *, appendix: bool = True) -> str:
    """A standalone, print-ready HTML document (inline print stylesheet; not served under the app's CSP)."""
    outline = charter_outline(content, appendix=appendix)
    return render_to_string(HTML_TEMPLATE, {"content": content, "document": outline, "standalone": True})


def to_pdf(content: Mapping[str, Any], *, appendix: bool = True) -> bytes:
    """The HTML document printed to a tagged, accessible PDF (PDF/UA-1: structure tags, the document's title and
    language) by WeasyPrint, which needs Pango: see docs/DEPLOYMENT or the Dockerfile."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only PDF exports need it

    document = HTML(string=to_html(content, appendix=appendix))
    return document.write_pdf(pdf_variant="pdf/ua-1")
