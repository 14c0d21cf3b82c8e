"""Every session- or run-scoped URL goes through the one access guard (``sessions_app.access``), found by walking
the URL patterns: a new endpoint or page that resolves its session by hand fails here. What each role gets on
each of them, and the stranger's 404, is the permissions matrix (test_permissions_matrix.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from sessions_app.access import RunScopedAPIView, SessionScopedAPIView, is_guarded

SCOPED_PARAMS = ("session_id", "run_id")
SAMPLE_VALUES = {
    "stage_number": "1",
    "key": "some-key",
    "fmt": "md",
    "action": "cancel",
    "group_key": "kpis",
    "item": "0",
    "question_id": "S1Q1",
}


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^").rstrip("$").replace(r"\Z", "")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, regex)
        else:
            yield regex, entry


def scoped_patterns() -> list[tuple[str, URLPattern]]:
    return [(regex, p) for regex, p in _walk(get_resolver().url_patterns) if any(k in regex for k in SCOPED_PARAMS)]


def test_every_session_or_run_scoped_view_uses_the_guard():
    found = scoped_patterns()
    assert len(found) >= 35  # pages and API of sessions, the interview, runs and the charter
    unguarded = [regex for regex, pattern in found if not is_guarded(pattern.callback)]
    assert unguarded == []


def test_the_guard_cannot_be_overridden():
    with pytest.raises(TypeError, match="access guard"):

        class Sneaky(SessionScopedAPIView):  # pragma: no cover - the class statement itself raises
            def initial(self, request, *args, **kwargs):
                return None

    with pytest.raises(TypeError, match="resolve_scope"):

        class AlsoSneaky(RunScopedAPIView):  # pragma: no cover
            def resolve_scope(self, request, **kwargs):
                return None
