"""Helpers shared by the test modules: request headers, the immediate task backend, and reading HTML responses.

Fixtures built on these (``web``, ``immediate_tasks``, ``run_tasks``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.test.html import Element, parse_html

# Extra headers of a request made by htmx: ``client.post(url, data, **HTMX)``.
HTMX = {"HTTP_HX_REQUEST": "true"}
# Django's task backend that runs a task in-process as soon as it is enqueued.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def html_of(response: Any) -> Element:
    return parse_html(response.content.decode())


def walk(node: Element | str) -> Iterator[Element]:
    if isinstance(node, str):
        return
    yield node
    for child in node.children:
        yield from walk(child)


def attrs(element: Element) -> dict[str, str | None]:
    return dict(element.attributes)


def by_id(root: Element, ident: str) -> Element:
    found = [e for e in walk(root) if attrs(e).get("id") == ident]
    assert len(found) == 1, f"expected one element #{ident}, found {len(found)}"
    return found[0]


def find_all(root: Element, tag: str, **wanted: str) -> list[Element]:
    return [e for e in walk(root) if e.name == tag and all(attrs(e).get(k) == v for k, v in wanted.items())]


def text_of(node: Element | str) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text_of(child) for child in node.children).strip()
