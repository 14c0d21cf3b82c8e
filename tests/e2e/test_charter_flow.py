"""The charter in a real browser: from a completed interview, generate it, watch the progress, read it, download
the Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from sessions_app.models import Charter, ScopingSession
from sessions_app.sessions.services import session_create
from tests.sessions_app.interview_helpers import complete_interview

# The page reloads when the run ends, so what the progress indicator showed is kept in sessionStorage.
WATCH_PROGRESS = """() => {
  new MutationObserver(() => {
    const el = document.querySelector('.run-progress');
    if (el && el.checkVisibility() && !sessionStorage.getItem('progress')) {
      sessionStorage.setItem('progress', JSON.stringify({text: el.textContent.replace(/\\s+/g, ' ').trim(),
        polls: el.getAttribute('hx-trigger'), live: el.closest('[aria-live]')?.getAttribute('aria-live') ?? null}));
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


@pytest.fixture
def finished(e2e_user: User) -> ScopingSession:
    session = session_create(owner=e2e_user, project_name="Kestrel churn")
    complete_interview(session)
    return session


GENERATION_TIMEOUT_MS = 90_000


def test_generate_watch_open_and_download(
    logged_in_page: Page,
    finished: ScopingSession,
    background_checks: str,
    tmp_path: Path,
):
    page = logged_in_page
    page.goto(f"/sessions/{finished.id}/")
    page.get_by_role("link", name="AI Project Charter").click()
    expect(page.get_by_role("heading", name="AI Project Charter", level=1)).to_be_visible()
    page.evaluate(WATCH_PROGRESS)

    page.get_by_role("button", name="Generate the charter").click()
    # The run renders the PDF and Word files before the version shows: ~25 s on a loaded two-core machine.
    expect(page.get_by_role("heading", name="Version 1 of 1")).to_be_visible(timeout=GENERATION_TIMEOUT_MS)
    progress = page.evaluate("JSON.parse(sessionStorage.getItem('progress'))")
    assert progress is not None and progress["polls"] == "every 1s", progress
    assert "elapsed" in progress["text"] and progress["live"] == "polite"

    expect(page.get_by_role("heading", name="AI Project Charter: Kestrel churn")).to_be_visible()
    expect(page.get_by_text("Executive summary").first).to_be_visible()
    assert Charter.objects.filter(session=finished, version=1).exists()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download Markdown").click()
    download = download_info.value
    assert download.suggested_filename == "kestrel-churn-charter-v1.md"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text()
    assert "Executive summary" in text and "2.3" in text
