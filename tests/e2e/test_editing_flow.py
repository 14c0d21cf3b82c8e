"""Iterating on an interview in a real browser (issue 12): answers save themselves and survive a reload, a group
saves in one click, focus mode works by keyboard alone, and an edit of a finished interview costs one re-check."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from sessions_app.interview.question_bank import stage
from sessions_app.models import Answer, ScopingSession, StageState, StageStatus
from sessions_app.sessions.services import session_create
from tests.sessions_app.churn_answers import STAGE_1
from tests.sessions_app.factories import make_session
from tests.sessions_app.interview_helpers import complete_interview

WORKER_START_TIMEOUT_MS = 30_000
# A hospital's project, not the churn one the examples were written from.
TRIAGE_AIM = (
    "Cut the time from a chest X-ray being taken to a radiologist reading the urgent ones from 6 hours to "
    "1 hour at St Brigid's, measured in the radiology information system."
)


@pytest.fixture
def session(e2e_user: User) -> ScopingSession:
    return session_create(owner=e2e_user, project_name="Chest X-ray triage")


def question_text(question_id: str) -> str:
    return stage(int(question_id[1])).question(question_id).text


def current_values(session: ScopingSession, question_id: str) -> list[object]:
    """The latest saved answer's value, as a list (empty when nothing is saved)."""
    rows = Answer.objects.filter(session=session, question_id=question_id).order_by("-created_at")
    return [row.value["value"] for row in rows[:1]]


def test_an_answer_saves_itself_when_left_and_survives_a_reload(
    logged_in_page: Page, session: ScopingSession, background_checks: str
) -> None:
    page = logged_in_page
    page.goto(f"/sessions/{session.id}/stages/1/")
    s1q1 = page.locator("article#S1Q1")
    field = s1q1.get_by_label(question_text("S1Q1"))
    field.fill(TRIAGE_AIM)
    # No button: leaving the answer (Tab to the next field) saves it, and the block says so.
    field.press("Tab")
    expect(page.locator("#S1Q1-state")).to_have_text(re.compile("Saving|Saved"))
    expect(page.locator("article#S1Q1 .status-badge")).not_to_have_text(
        "Not answered yet", timeout=WORKER_START_TIMEOUT_MS
    )
    assert current_values(session, "S1Q1") == [TRIAGE_AIM]

    # A choice saves once picked (no Save press either).
    s1q5 = page.locator("article#S1Q5")
    choice = stage(1).question("S1Q5").choices[0]
    s1q5.get_by_role("radio", name=choice.label).check()
    expect(page.locator("#S1Q5-state")).to_have_text("Saved", timeout=WORKER_START_TIMEOUT_MS)

    page.reload()
    expect(page.locator("article#S1Q1").get_by_label(question_text("S1Q1"))).to_have_value(TRIAGE_AIM)
    expect(page.locator("article#S1Q5").get_by_role("radio", name=choice.label)).to_be_checked()
    assert Answer.objects.filter(session=session, question_id="S1Q1").count() == 1  # one save, not one per key


def test_a_failed_save_keeps_what_was_typed(logged_in_page: Page, session: ScopingSession) -> None:
    page = logged_in_page
    page.goto(f"/sessions/{session.id}/stages/1/")
    # The server goes away for this answer: the request fails, the text stays and the block says it is not saved.
    page.route(re.compile(r".*/stages/1/answers/$"), lambda route: route.abort())
    field = page.locator("article#S1Q2").get_by_label(question_text("S1Q2"))
    field.fill("About 300 urgent studies a week wait more than 4 hours for a first read.")
    field.press("Tab")
    expect(page.locator("#S1Q2-state")).to_contain_text("Not saved")
    expect(field).to_have_value("About 300 urgent studies a week wait more than 4 hours for a first read.")
    assert not Answer.objects.filter(session=session, question_id="S1Q2").exists()
    # Back online: leaving the answer again saves it.
    page.unroute(re.compile(r".*/stages/1/answers/$"))
    field.focus()
    field.press("Tab")
    expect(page.locator("#S1Q2-state")).to_have_text(re.compile("Saved"), timeout=WORKER_START_TIMEOUT_MS)
    assert Answer.objects.filter(session=session, question_id="S1Q2").exists()


def test_save_group_saves_every_changed_answer_of_the_group_at_once(
    logged_in_page: Page, session: ScopingSession, background_checks: str
) -> None:
    page = logged_in_page
    page.goto(f"/sessions/{session.id}/stages/1/")
    first = page.locator("section.question-group").first
    blocks = first.locator("article.question")
    # Fill two answers of the first group without leaving them through the page (no autosave yet), then one click.
    ids = [blocks.nth(i).get_attribute("id") for i in range(2)]
    for question_id in ids:
        assert question_id
        raw = STAGE_1[(question_id, 0)]
        blocks.locator(f"#{question_id}-field").evaluate("(el, v) => { el.value = v; }", raw)
    first.get_by_role("button", name=re.compile("^Save group")).click()
    # Text answers are checked one at a time: one is saved now, the other as soon as that check ends (the page
    # sends it again by itself), with no second click.
    expect(first.locator(".group-save-state")).to_contain_text("Saved", timeout=WORKER_START_TIMEOUT_MS)
    for question_id in ids:
        assert question_id
        expect(page.locator(f"#{question_id}-state")).to_have_text("Saved", timeout=WORKER_START_TIMEOUT_MS)
    for question_id in ids:
        assert question_id
        assert current_values(session, question_id) == [STAGE_1[(question_id, 0)]]


def test_focus_mode_by_keyboard_alone(logged_in_page: Page, session: ScopingSession, e2e_user: User) -> None:
    page = logged_in_page
    page.goto(f"/sessions/{session.id}/stages/1/")
    page.get_by_role("button", name="One question at a time").click()
    e2e_user.refresh_from_db()
    assert e2e_user.focus_mode  # a preference of the user: the next stage page opens the same way

    questions = page.locator("article.question")
    total = questions.count()
    expect(page.locator("article.question:visible")).to_have_count(1)
    expect(page.locator(".focus-position")).to_have_text(f"Question 1 of {total}")
    first = page.locator("article#S1Q1")
    expect(first.get_by_label(question_text("S1Q1"))).to_be_focused()

    page.keyboard.type(TRIAGE_AIM)
    page.keyboard.press("Control+Enter")  # saves and moves on
    expect(page.locator(".focus-position")).to_have_text(f"Question 2 of {total}")
    second = page.locator("article#S1Q2")
    expect(second).to_be_visible()
    expect(first).to_be_hidden()
    expect(second.get_by_label(question_text("S1Q2"))).to_be_focused()
    page.wait_for_function("() => document.querySelector('#S1Q1-state')?.textContent.includes('Saved')")
    assert current_values(session, "S1Q1") == [TRIAGE_AIM]

    page.keyboard.press("Escape")  # the full list, at the question in hand
    expect(page.locator("article.question:visible")).to_have_count(total)

    page.reload()  # the preference holds
    expect(page.locator("article.question:visible")).to_have_count(1)
    page.get_by_role("button", name="Show all questions").click()
    expect(page.locator("article.question:visible")).to_have_count(total)
    e2e_user.refresh_from_db()
    assert not e2e_user.focus_mode


def test_edit_a_finished_interview_then_recheck_and_the_charter_is_back(
    logged_in_page: Page, e2e_user: User, background_checks: str
) -> None:
    finished = make_session(e2e_user, project_name="Kestrel churn")
    complete_interview(finished)
    page = logged_in_page
    page.goto(f"/sessions/{finished.id}/stages/1/")
    budget = page.locator("article#S1Q13")
    # Before saving, the page says what an edit will re-open.
    expect(budget.locator(".edit-notice")).to_contain_text("re-open")
    budget.get_by_label(question_text("S1Q13")).fill(STAGE_1[("S1Q13", 0)].replace("€160k", "€220k"))
    budget.get_by_role("button", name="Save answer").click()
    expect(page.locator("#S1Q13-state")).to_have_text("Saved", timeout=WORKER_START_TIMEOUT_MS)
    expect(page.locator("article#S1Q13 .status-badge")).to_have_text("Accepted", timeout=WORKER_START_TIMEOUT_MS)
    statuses = dict(StageState.objects.filter(session=finished).values_list("stage", "status"))
    assert statuses == {1: "open", 2: "stale", 3: "stale", 4: "stale", 5: "stale"}

    page.goto(f"/sessions/{finished.id}/")
    expect(page.locator(".review-label")).to_have_count(5)  # stage 1 re-opened, 2-5 need review: none locked
    expect(page.locator(".locked-label")).to_have_count(0)
    page.get_by_role("button", name="Re-check stages").click()
    expect(page.get_by_role("link", name="AI Project Charter")).to_be_visible()
    assert set(StageState.objects.filter(session=finished).values_list("status", flat=True)) == {StageStatus.COMPLETED}

    page.get_by_role("link", name="AI Project Charter").first.click()
    expect(page.get_by_role("button", name="Generate the charter")).to_be_enabled()
