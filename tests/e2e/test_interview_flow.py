"""Stage 1 of the interview in a real browser: a vague answer gets follow-ups while the page shows the check's
progress, a good answer is accepted, every required question is answered, and the gate leads to stage 2."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from sessions_app.interview.question_bank import QuestionType, stage
from sessions_app.models import Answer, AnswerStatus, Checkpoint, RunStatus, ScopingSession, StageRun
from sessions_app.sessions.services import session_create
from tests.sessions_app.churn_answers import STAGE_1

ROOT = Path(__file__).resolve().parents[2]
VAGUE = "Improve efficiency"
# A check runs in well under a second; the first one may wait for the worker process to start.
WORKER_START_TIMEOUT_MS = 30_000

# Records whether a visible progress indicator was ever on the page, and its text. The indicator is replaced as
# soon as the check has ended (a second or so), so it is watched rather than looked for afterwards.
WATCH_PROGRESS = """() => {
  window.__progress = null;
  new MutationObserver(() => {
    const el = document.querySelector('.run-progress');
    if (el && el.checkVisibility() && window.__progress === null) {
      window.__progress = {text: el.textContent.replace(/\\s+/g, ' ').trim(),
                           live: el.closest('[aria-live]')?.getAttribute('aria-live') ?? null,
                           polls: el.getAttribute('hx-trigger')};
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


@pytest.fixture
def session(e2e_user: User) -> ScopingSession:
    return session_create(owner=e2e_user, project_name="Kestrel churn")


def block(page: Page, question_id: str) -> Locator:
    return page.locator(f"article#{question_id}")


def badge(page: Page, question_id: str) -> Locator:
    return block(page, question_id).locator(".status-badge")


def answer_via_form(page: Page, question_id: str, raw: Any) -> None:
    """Fill in the question's widget the way a person would, and press its Save button."""
    q = stage(1).question(question_id)
    article = block(page, question_id)
    if q.type is QuestionType.CHOICE:
        value, detail = (raw["value"], raw.get("detail")) if isinstance(raw, dict) else (raw, None)
        label = next(c.label for c in q.choices if c.value == value)
        article.get_by_role("radio", name=label).check()
        if detail:
            article.get_by_label(q.detail.prompt).fill(detail)  # type: ignore[union-attr]
    else:
        text = "\n".join(raw) if isinstance(raw, list) else raw
        article.get_by_label(q.text).fill(text)
    article.get_by_role("button", name="Save answer").click()


def test_stage_1_from_a_vague_answer_to_the_gate(logged_in_page: Page, session: ScopingSession, background_checks):
    page = logged_in_page
    page.goto(f"/sessions/{session.id}/")
    page.get_by_role("link", name="Business Translation").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session.id}/stages/1/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage 1: Business Translation")
    progressbar = page.get_by_role("progressbar", name="Stages completed")
    expect(progressbar).to_have_attribute("aria-valuenow", "0")
    nav = page.get_by_role("navigation", name="Interview stages")
    expect(nav.get_by_role("link")).to_have_count(1)
    expect(nav).to_contain_text("locked")

    # A vague answer: the progress indicator, then the follow-up questions.
    page.evaluate(WATCH_PROGRESS)
    s1q1 = block(page, "S1Q1")
    s1q1.get_by_label(stage(1).question("S1Q1").text).fill(VAGUE)
    s1q1.get_by_role("button", name="Save answer").click()
    expect(badge(page, "S1Q1")).to_have_text("Needs more detail", timeout=WORKER_START_TIMEOUT_MS)
    progress = page.evaluate("() => window.__progress")
    assert progress is not None, "no progress indicator was shown while the answer was checked"
    assert "s elapsed" in progress["text"] and "answer" in progress["text"], progress
    assert progress["live"] == "polite" and progress["polls"] == "every 1s", progress
    followups = s1q1.locator("ol.followups li")
    expect(followups.first).to_be_visible()
    assert 1 <= followups.count() <= 3
    expect(s1q1.locator(".provider")).to_have_text("Checked offline: rule-based heuristics, no AI model")
    expect(s1q1.get_by_label(stage(1).question("S1Q1").text)).to_have_value(VAGUE)
    expect(page.locator(".run-progress")).to_have_count(0)  # polling has stopped

    # The improved answer is accepted; the follow-ups go away.
    answer_via_form(page, "S1Q1", STAGE_1[("S1Q1", 0)])
    expect(badge(page, "S1Q1")).to_have_text("Accepted")
    expect(s1q1.locator("ol.followups")).to_have_count(0)
    expect(s1q1.locator(".run-usage")).to_contain_text("Checked in")
    expect(s1q1.locator(".run-usage")).not_to_contain_text("tokens")  # offline: no tokens, no cost to show

    # Every other required question, text and typed, each waiting for its check like a person would.
    for (question_id, _item), raw in STAGE_1.items():
        if question_id == "S1Q1":
            continue
        answer_via_form(page, question_id, raw)
        expect(badge(page, question_id)).to_have_text("Accepted")
    assert Answer.objects.filter(session=session, status=AnswerStatus.ACCEPTED).count() == len(STAGE_1)
    assert not StageRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists()
    if background_checks == "worker":  # the worker process, not the web server, did the checks
        text_answers = sum(1 for (qid, _), _raw in STAGE_1.items() if stage(1).question(qid).is_quality_scored)
        assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == text_answers + 1

    # The gate: acknowledge what concerns it (the answers name a feature that arrives late), then complete.
    page.get_by_role("button", name="Complete stage 1").click()
    stage_2_heading = page.get_by_role("heading", level=1, name="Stage 2: Value Quantification")
    gate_result = page.locator("#gate-panel .gate-result")
    passed = page.locator("#gate-panel .gate-passed")
    expect(gate_result).to_be_visible()
    if not passed.is_visible():
        expect(gate_result.locator(".gate-missing")).to_have_count(0)
        expect(gate_result.locator(".gate-blockers")).to_have_count(0)
        concerns = gate_result.locator("li.concern")
        assert concerns.count() >= 1
        for index in range(concerns.count()):
            concern = concerns.nth(index)
            concern.get_by_label("Acknowledge with a reason").fill(
                "Outage minutes lag by a month; the pilot uses last month's figure on purpose."
            )
            concern.get_by_role("button", name="Acknowledge").click()
            expect(concern).to_contain_text("Acknowledged")
        page.get_by_role("button", name="Complete stage 1").click()

    # The page stays on stage 1 and shows the gate's result, with the way on.
    expect(passed).to_contain_text("Stage 1 is complete")
    expect(passed).to_contain_text("Checkpoint saved")
    passed.get_by_role("link", name="Continue to stage 2").click()
    expect(stage_2_heading).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/sessions/{session.id}/stages/2/$"))
    expect(progressbar).to_have_attribute("aria-valuenow", "1")
    expect(nav.get_by_role("link")).to_have_count(2)
    assert Checkpoint.objects.filter(session=session, stage=1).count() == 1
