"""The charter's Markdown export carries no live HTML and no dangerous link from the answers, and ordinary text
reads as typed.

"Live" is judged by rendering the Markdown the way a permissive viewer does: markdown-it in CommonMark mode with
raw HTML on and its own link filter off (many wikis and previews filter nothing), then looking at the HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from sessions_app.charter.rendering import to_markdown
from tests.sessions_app.test_charter_content import charter

PROBLEM = ("S1Q1", 0)  # the business problem: shown in the charter's text
HOSTILE = (
    "Churn is 2.3% a month. <script>alert(1)</script> See [x](javascript:alert(1)) and "
    "[y](JaVa&#115;cript:alert(2)) and ![p](data:image/svg+xml;base64,PHN2Zz4=) and <img src=x onerror=alert(3)> "
    "and <javascript:alert(4)> and [z](<java\tscript:alert(5)>)."
)


def permissive_html(markdown: str) -> str:
    renderer = MarkdownIt("commonmark", {"html": True})
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    return renderer.render(markdown)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def elements(rendered: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(rendered)
    return parser.tags


def live_links(rendered: str) -> list[str]:
    return [value or "" for _, attrs in elements(rendered) for name, value in attrs.items() if name in {"href", "src"}]


@pytest.fixture(scope="module")
def hostile_markdown() -> str:
    return to_markdown(charter({PROBLEM: HOSTILE}))


def test_the_hostile_answer_is_in_the_export(hostile_markdown):
    assert "Churn is 2.3% a month." in hostile_markdown
    assert "alert(1)" in hostile_markdown  # shown as text, not dropped


def test_markdown_export_has_no_live_script_or_event_handler(hostile_markdown):
    rendered = permissive_html(hostile_markdown)
    tags = elements(rendered)
    assert not [tag for tag, _ in tags if tag in {"script", "img", "iframe", "object"}]
    assert not [name for _, attrs in tags for name in attrs if name.startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered  # the user reads what they typed


def test_markdown_export_has_no_javascript_or_data_link(hostile_markdown):
    rendered = permissive_html(hostile_markdown)
    schemes = [re.sub(r"[\s\x00-\x1f]", "", link).lower().split(":")[0] for link in live_links(rendered)]
    assert not [scheme for scheme in schemes if scheme in {"javascript", "data", "vbscript"}], live_links(rendered)
    assert "javascript:alert(1)" in rendered  # still readable as text


@pytest.mark.parametrize(
    "text",
    ["a < b and c > d", "R&D budget", "x<3 months", "profit & loss <= 5%", "use [brackets] (like this)"],
)
def test_ordinary_answer_text_reads_the_same(text):
    markdown = to_markdown(charter({PROBLEM: f"Churn is 2.3% a month; {text}."}))
    rendered = permissive_html(markdown)
    shown = re.sub(r"<[^>]+>", "", rendered).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    shown = shown.replace("&quot;", '"')
    assert text in shown


def test_ordinary_text_is_left_as_typed_in_the_file():
    markdown = to_markdown(charter({PROBLEM: "Churn is 2.3% a month; a < b, R&D and c > d."}))
    assert "a < b, R&D and c > d" in markdown


def test_safe_links_stay_links():
    markdown = to_markdown(charter({PROBLEM: "Churn is 2.3% a month, see [the report](https://example.com/r)."}))
    assert 'href="https://example.com/r"' in permissive_html(markdown)


@pytest.mark.django_db
def test_a_version_stored_before_the_escaping_downloads_escaped(api, user):
    """Markdown stored by an older release (raw HTML from an answer) is rendered again from the content."""
    from sessions_app.models import Charter
    from tests.sessions_app.factories import make_session

    session = make_session(user, project_name="Stored before the fix")
    content = charter({PROBLEM: HOSTILE})
    Charter.objects.create(
        session=session, version=1, content=content, markdown=f"# Old\n\n{HOSTILE}\n", decision="revise"
    )
    response = api.get(f"/api/v1/sessions/{session.id}/charter.md")
    assert response.status_code == 200
    downloaded = response.content.decode()
    assert "2.3% a month" in downloaded  # the answer is there…
    assert not any(tag == "script" for tag, _ in elements(permissive_html(downloaded)))  # …but not live
