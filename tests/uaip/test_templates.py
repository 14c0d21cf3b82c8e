"""Template hygiene that the browser would otherwise show to users."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_multiline_short_comments(template):
    """Django's {# #} comments end at the line: one spread over lines is printed on the page."""
    for number, line in enumerate(template.read_text().splitlines(), start=1):
        if "{#" in line:
            assert "#}" in line[line.index("{#") :], f"{template.name}:{number} opens {{# without closing it"


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_debug_mode_does_not_load_the_page_replacing_error_helper(client, user):
    """django-htmx's DEBUG helper swaps the whole page for any 400; our forms answer 400 with in-place errors."""
    client.force_login(user)
    html = client.get("/sessions/").content.decode()
    assert "htmx-2.min.js" in html and "django-htmx.js" not in html
