"""The team around a session in real browsers (issue 15): the owner invites a reviewer and an editor, the editor
answers stage 1, the reviewer comments and cannot edit, and two reviewers' sign-offs approve a committee decision.

Every member has a browser context of their own (their own cookies), all against the same live server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Locator, Page, expect

from accounts.models import User
from sessions_app.charter import services as charter_services
from sessions_app.interview.question_bank import stage
from sessions_app.models import (
    Answer,
    Charter,
    Comment,
    CommentThread,
    Invitation,
    MemberRole,
    Membership,
    RunStatus,
    ScopingSession,
    SignOff,
    StageRun,
)
from sessions_app.sessions.services import session_create
from sessions_app.team import services as team_services
from tests.e2e.conftest import DASHBOARD_URL, E2E_PASSWORD, login_via_ui
from tests.helpers import IMMEDIATE_TASKS
from tests.sessions_app.interview_helpers import complete_interview

SHOTS = Path("/tmp/team-e2e")
WORKER_START_TIMEOUT_MS = 30_000
CHECK_TIMEOUT_MS = 60_000
CHECKED = re.compile(r"^(Accepted|Needs more detail)$")  # a text answer's check has ended

# A water utility's project, not the churn or X-ray ones the other browser tests use.
PROJECT = "Riverside leak detection"
LEAK_AIM = (
    "Find leaks in Riverside Water's 1,900 km of distribution mains within 3 days of their start instead of "
    "the 21 days it takes today, measured as the median days from the first abnormal night flow in a district "
    "meter area to a confirmed leak in the work-order system."
)
REVIEWER_EMAIL = "rita.reviewer@example.org"
# Text a reviewer might paste; it must come back as text, never run.
HOSTILE_COMMENT = "Which night-flow threshold flags a leak? <script>alert(1)</script> <b>bold?</b>"


def shot(page: Page, name: str, part: Locator | None = None) -> None:
    """A screenshot to look at (the whole page, or one part of a long one)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    if part is None:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    else:
        part.screenshot(path=str(SHOTS / f"{name}.png"))


def question_text(question_id: str) -> str:
    return stage(int(question_id[1])).question(question_id).text


def current_answer(session: ScopingSession, question_id: str) -> Answer | None:
    return (
        Answer.objects.select_related("answered_by")
        .filter(session=session, question_id=question_id)
        .order_by("-created_at")
        .first()
    )


@pytest.fixture
def new_context(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Callable[[], BrowserContext]]:
    """Another person's browser: a fresh context (no cookies) at the live server; closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def logged_in(new_context: Callable[[], BrowserContext], user: User) -> Page:
    page = new_context().new_page()
    login_via_ui(page, email=user.email)
    expect(page).to_have_url(DASHBOARD_URL)
    return page


def post_from(page: Page, url: str, form: dict[str, str]) -> Any:
    """A form post with the page's cookies and CSRF token, as a hand-made request would send it (not the page)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(url, form=form, headers={"X-CSRFToken": token}, max_redirects=0)


def fail_on_dialog(page: Page, seen: list[str]) -> None:
    def record(dialog: Dialog) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)


@pytest.fixture
def leak_session(e2e_user: User) -> ScopingSession:
    return session_create(owner=e2e_user, project_name=PROJECT)


@pytest.fixture
def editor(transactional_db: None) -> User:
    return User.objects.create_user(email="edda.editor@example.org", password=E2E_PASSWORD, name="Edda Okafor")


def test_owner_invites_an_editor_and_a_reviewer_the_editor_answers_the_reviewer_comments_and_cannot_edit(
    logged_in_page: Page,
    leak_session: ScopingSession,
    editor: User,
    new_context: Callable[[], BrowserContext],
    mailoutbox: list[Any],
    live_server: Any,
    background_checks: str,
) -> None:
    session = leak_session
    owner_page = logged_in_page

    # --- The owner adds an existing account as editor, then invites an unknown address as reviewer ---------------
    owner_page.goto(f"/sessions/{session.id}/")
    owner_page.get_by_role("link", name="Team").first.click()
    expect(owner_page).to_have_url(re.compile(rf"/sessions/{session.id}/team/$"))
    expect(owner_page.get_by_role("heading", name="Team", level=1)).to_be_visible()
    expect(owner_page.locator(".team-table tbody tr")).to_have_count(1)  # the owner alone
    expect(owner_page.locator(".invitation-list")).to_have_count(0)

    add = owner_page.locator("form#add-member")
    add.locator("#member-email").fill(editor.email.upper())  # addresses match whatever their case
    add.locator("#member-role").select_option("editor")
    add.locator("#member-function").select_option(index=1)
    add.get_by_role("button", name="Add or invite").click()
    expect(owner_page.locator("#messages")).to_contain_text("Edda Okafor joined the session.")
    editor_row = owner_page.locator(f"tr#member-{editor.pk}")
    expect(editor_row).to_contain_text("Edda Okafor")
    expect(editor_row.locator(f"#role-{editor.pk}")).to_have_value("editor")
    expect(owner_page.locator(".team-table tbody tr")).to_have_count(2)
    assert Membership.objects.get(session=session, user=editor).role == MemberRole.EDITOR
    assert not mailoutbox  # an existing account joins at once: nothing to e-mail

    add.locator("#member-email").fill(REVIEWER_EMAIL)
    add.locator("#member-role").select_option("reviewer")
    add.locator("#member-function").select_option("")
    add.get_by_role("button", name="Add or invite").click()
    expect(owner_page.locator("#messages")).to_contain_text(f"{REVIEWER_EMAIL} has no account yet")
    pending = owner_page.locator(".invitation-list li")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(f"{REVIEWER_EMAIL} as reviewer")
    expect(pending).to_contain_text("by Browser User")
    expect(owner_page.locator(".team-table tbody tr")).to_have_count(2)  # not a member until they accept
    shot(owner_page, "01-owner-team-page")

    invitation = Invitation.objects.get(session=session, email=REVIEWER_EMAIL)
    assert invitation.role == MemberRole.REVIEWER and invitation.accepted_at is None
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [REVIEWER_EMAIL]
    assert PROJECT in mailoutbox[0].subject + mailoutbox[0].body
    links = re.findall(r"https?://\S+/sessions/invitations/[^/\s]+/", mailoutbox[0].body)
    assert len(links) == 1 and links[0].startswith(live_server.url), mailoutbox[0].body

    # --- The invited reviewer opens the link in their own browser, registers there and lands in the session -------
    reviewer_page = new_context().new_page()
    dialogs: list[str] = []
    fail_on_dialog(reviewer_page, dialogs)
    reviewer_page.goto(links[0])
    expect(reviewer_page.get_by_role("heading", name=f"Join “{PROJECT}”")).to_be_visible()
    expect(reviewer_page.locator("main")).to_contain_text(f"Browser User invites {REVIEWER_EMAIL}")
    expect(reviewer_page.locator("main")).to_contain_text("as reviewer")
    email_field = reviewer_page.get_by_label("E-mail address")
    expect(email_field).to_have_value(REVIEWER_EMAIL)
    expect(email_field).to_be_disabled()  # the account is made for the invited address
    reviewer_page.get_by_label("Your name").fill("Rita Lindqvist")
    reviewer_page.get_by_label("Password", exact=True).fill(E2E_PASSWORD)
    reviewer_page.get_by_label("Password again").fill(E2E_PASSWORD)
    shot(reviewer_page, "02-invitation-page")
    reviewer_page.get_by_role("button", name="Create my account and join").click()
    expect(reviewer_page).to_have_url(re.compile(rf"/sessions/{session.id}/$"))
    expect(reviewer_page.locator("#messages")).to_contain_text(f"You joined “{PROJECT}” as reviewer.")
    shot(reviewer_page, "03-reviewer-joined")
    reviewer = User.objects.get(email=REVIEWER_EMAIL)
    assert Membership.objects.get(session=session, user=reviewer).role == MemberRole.REVIEWER
    invitation.refresh_from_db()
    assert invitation.accepted_by == reviewer and invitation.accepted_at is not None

    # The link is spent: opening it again says so.
    reviewer_page.goto(links[0])
    expect(reviewer_page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    expect(reviewer_page.locator("main")).to_contain_text("already been used")

    # --- The editor answers two questions of stage 1 in a third browser -------------------------------------------
    editor_page = logged_in(new_context, editor)
    editor_page.get_by_role("link", name=PROJECT).click()
    expect(editor_page).to_have_url(re.compile(rf"/sessions/{session.id}/$"))
    editor_page.goto(f"/sessions/{session.id}/stages/1/")
    expect(editor_page.locator("#role-banner")).to_have_count(0)  # editors may change answers: no banner
    s1q1 = editor_page.locator("article#S1Q1")
    field = s1q1.get_by_label(question_text("S1Q1"))
    expect(field).to_be_enabled()
    field.fill(LEAK_AIM)
    field.press("Tab")  # leaving the answer saves it
    expect(editor_page.locator("article#S1Q1 .status-badge")).not_to_have_text(
        "Not answered yet", timeout=WORKER_START_TIMEOUT_MS
    )
    expect(editor_page.locator("article#S1Q1 .answer-author")).to_contain_text(
        "Answered by Edda Okafor", timeout=WORKER_START_TIMEOUT_MS
    )
    # The check ends before the reviewer opens the stage (its end swaps the block, comments and all).
    expect(editor_page.locator("article#S1Q1 .status-badge")).to_have_text(CHECKED, timeout=CHECK_TIMEOUT_MS)
    choice = stage(1).question("S1Q5").choices[1]  # "partly"
    editor_page.locator("article#S1Q5").get_by_role("radio", name=choice.label).check()
    expect(editor_page.locator("#S1Q5-state")).to_have_text("Saved", timeout=WORKER_START_TIMEOUT_MS)
    expect(editor_page.locator("article#S1Q5 .answer-author")).to_contain_text("Answered by Edda Okafor")
    shot(editor_page, "04-editor-s1q1", s1q1)
    shot(editor_page, "04-editor-s1q5", editor_page.locator("article#S1Q5"))
    for question_id, value in (("S1Q1", LEAK_AIM), ("S1Q5", choice.value)):
        answer = current_answer(session, question_id)
        assert answer is not None and answer.value["value"] == value, question_id
        assert answer.answered_by == editor, question_id

    # --- The reviewer reads stage 1: a banner says what they can do, and every answer field is disabled -----------
    reviewer_page.goto(f"/sessions/{session.id}/stages/1/")
    banner = reviewer_page.locator("#role-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("You are a reviewer of this session")
    expect(banner).to_contain_text("comment")
    fieldsets = reviewer_page.locator("fieldset.answer-fieldset")
    expect(fieldsets.first).to_be_visible()
    assert fieldsets.count() == reviewer_page.locator("fieldset.answer-fieldset[disabled]").count() > 1
    r_s1q1 = reviewer_page.locator("article#S1Q1")
    expect(r_s1q1.locator(".status-badge")).to_have_text(CHECKED)
    expect(r_s1q1.get_by_label(question_text("S1Q1"))).to_have_value(LEAK_AIM)  # reads the editor's answer
    expect(r_s1q1.get_by_label(question_text("S1Q1"))).to_be_disabled()
    expect(r_s1q1.locator("#S1Q1-save")).to_be_disabled()
    expect(reviewer_page.locator("article#S1Q5").get_by_role("radio", name=choice.label)).to_be_checked()
    expect(reviewer_page.locator("article#S1Q5").get_by_role("radio", name=choice.label)).to_be_disabled()
    expect(r_s1q1.locator(".answer-author")).to_contain_text("Answered by Edda Okafor")
    reviewer_page.screenshot(path=str(SHOTS / "05-reviewer-stage-1-top.png"))

    # Disabled fields are not the protection: a save sent anyway is refused and changes nothing.
    version = r_s1q1.locator("input[name=version]").input_value()
    refused = post_from(
        reviewer_page,
        f"/sessions/{session.id}/stages/1/answers/",
        {"question_id": "S1Q1", "item": "0", "version": version, "answer": "Overwritten"},
    )
    assert refused.status == 403, (refused.status, refused.text()[:300])
    assert "needs the owner or editor role; your role in this session is reviewer" in refused.text()
    assert Answer.objects.filter(session=session, question_id="S1Q1").count() == 1

    # --- The reviewer comments on S1Q1; the markup in the comment stays text; then resolves it ---------------------
    comments = r_s1q1.locator("details.comments")
    comments.locator("summary").click()
    panel = r_s1q1.locator(".comments-panel")
    expect(panel).to_contain_text("No comments yet.")
    panel.get_by_label("New comment").fill(HOSTILE_COMMENT)
    panel.get_by_role("button", name="Comment", exact=True).click()
    body = r_s1q1.locator(".comment-body")
    expect(body).to_have_count(1)
    expect(body).to_have_text(HOSTILE_COMMENT)  # the tags are shown as typed, so they were escaped
    expect(r_s1q1.locator(".comment-thread")).to_contain_text("Rita Lindqvist")
    assert r_s1q1.locator(".comments-panel script, .comments-panel b").count() == 0
    expect(r_s1q1.get_by_label("New comment")).to_have_value("")  # the new panel has a fresh form
    shot(reviewer_page, "06-reviewer-comment", r_s1q1)
    thread = CommentThread.objects.get(session=session)
    assert (thread.target_kind, thread.target) == ("answer", "S1Q1")
    assert list(Comment.objects.filter(thread=thread).values_list("body", "author")) == [(HOSTILE_COMMENT, reviewer.pk)]

    r_s1q1.get_by_role("button", name="Resolve").click()
    expect(r_s1q1.locator(".comment-thread.resolved")).to_contain_text("Resolved by Rita Lindqvist")
    expect(r_s1q1.get_by_role("button", name="Reopen")).to_be_visible()
    thread.refresh_from_db()
    assert thread.resolved_at is not None and thread.resolved_by == reviewer
    reviewer_page.reload()  # the comment survives a reload, still as text
    reviewer_page.locator("article#S1Q1 details.comments summary").click()
    expect(reviewer_page.locator("article#S1Q1 .comment-body")).to_have_text(HOSTILE_COMMENT)
    shot(reviewer_page, "07-reviewer-resolved", reviewer_page.locator("article#S1Q1"))
    assert dialogs == [], f"a script in a comment ran: {dialogs}"

    # --- The owner's activity log tells the story ------------------------------------------------------------------
    owner_page.goto(f"/sessions/{session.id}/activity/")
    log = owner_page.locator("main")
    expect(log).to_contain_text("Added Edda Okafor as editor")
    expect(log).to_contain_text(f"Invited {REVIEWER_EMAIL} as reviewer")
    expect(log).to_contain_text("Rita Lindqvist joined as reviewer (invitation)")
    shot(owner_page, "08-owner-activity")


@pytest.fixture
def decided(e2e_user: User, settings: Any) -> Charter:
    """A finished interview (the churn answers: the decision is to submit to the committee) and its charter v1,
    generated in-process as the worker would."""
    session = session_create(owner=e2e_user, project_name="Kestrel broadband retention")
    complete_interview(session)
    settings.TASKS = IMMEDIATE_TASKS  # the run executes when its transaction commits
    run = charter_services.charter_generate(session=session, actor=e2e_user)
    run = StageRun.objects.get(pk=run.pk)
    assert run.status == RunStatus.SUCCEEDED, (run.status, run.error)
    charter = Charter.objects.get(session=session, version=1)
    assert charter.decision == "submit_to_committee"
    return charter


def sign_off(page: Page, charter: Charter, comment: str) -> None:
    page.goto(f"/sessions/{charter.session_id}/charter/")
    form = page.locator("form#sign-off-form")
    form.locator("#signoff-comment").fill(comment)
    form.get_by_role("button", name=f"Sign off version {charter.version}").click()
    expect(page).to_have_url(re.compile(r"/charter/\?version=1#signoffs$"))
    expect(page.locator("#messages")).to_contain_text(f"Your sign-off of version {charter.version} is recorded.")


def test_two_reviewer_sign_offs_approve_a_committee_decision(
    logged_in_page: Page,
    e2e_user: User,
    decided: Charter,
    new_context: Callable[[], BrowserContext],
    tmp_path: Path,
) -> None:
    charter = decided
    session = charter.session
    reviewers = [
        User.objects.create_user(email=f"{first.lower()}@example.org", password=E2E_PASSWORD, name=f"{first} {last}")
        for first, last in (("Ines", "Haddad"), ("Tomas", "Brennan"))
    ]
    for reviewer in reviewers:
        team_services.member_add(session=session, actor=e2e_user, email=reviewer.email, role=MemberRole.REVIEWER)

    # The owner may generate, but not sign off.
    owner_page = logged_in_page
    owner_page.goto(f"/sessions/{session.id}/charter/")
    signoffs = owner_page.locator("#signoffs")
    expect(signoffs.get_by_role("heading", name="Sign-offs of version 1")).to_be_visible()
    expect(signoffs).to_contain_text("0 of 2 reviewer sign-offs")
    expect(signoffs).to_contain_text("Signing off needs the reviewer role.")
    expect(owner_page.locator("form#sign-off-form")).to_have_count(0)
    expect(owner_page.locator("#decision-badge")).to_be_visible()
    shot(owner_page, "09-owner-cannot-sign", signoffs)

    first_page = logged_in(new_context, reviewers[0])
    sign_off(first_page, charter, "Checked the retention targets against the Q3 churn report.")
    signoffs = first_page.locator("#signoffs")
    expect(signoffs).to_contain_text("1 of 2 reviewer sign-offs")
    expect(signoffs).not_to_contain_text("Approved")
    expect(signoffs.locator(".signoff-list li")).to_have_count(1)
    expect(signoffs.locator(".signoff-list")).to_contain_text("Ines Haddad")
    expect(signoffs).to_contain_text("You have signed this version.")
    expect(first_page.locator("#sign-off-form")).to_have_count(0)
    first_page.screenshot(path=str(SHOTS / "09-first-sign-off-viewport.png"))
    shot(first_page, "10-first-sign-off", signoffs)
    charter.refresh_from_db()
    assert charter.approved_at is None

    second_page = logged_in(new_context, reviewers[1])
    sign_off(second_page, charter, "Read the fairness and data-protection sections; fine for the committee.")
    signoffs = second_page.locator("#signoffs")
    expect(signoffs).to_contain_text("Approved")
    expect(signoffs).to_contain_text("2 of 2 reviewer sign-offs")
    expect(signoffs.locator(".signoff-list li")).to_have_count(2)
    expect(second_page.locator("#messages")).to_contain_text("The version is approved.")
    shot(second_page, "11-approved", signoffs)
    charter.refresh_from_db()
    assert charter.approved_at is not None
    assert set(SignOff.objects.filter(charter=charter).values_list("reviewer_name", flat=True)) == {
        "Ines Haddad",
        "Tomas Brennan",
    }

    # Signing twice does not count twice, and the owner cannot sign even by a hand-made request.
    again = post_from(
        first_page,
        f"/sessions/{session.id}/charter/signoffs/",
        {"version": "1", "comment": "Signing once more, to see what happens."},
    )
    assert again.status == 302
    owner_try = post_from(
        owner_page,
        f"/sessions/{session.id}/charter/signoffs/",
        {"version": "1", "comment": "The owner approving their own project."},
    )
    assert owner_try.status == 403
    assert SignOff.objects.filter(charter=charter).count() == 2
    first_page.goto(f"/sessions/{session.id}/charter/")
    expect(first_page.locator("#messages")).to_contain_text("You have signed version 1 already.")

    # The owner sees the approval too, and the Markdown names both reviewers.
    owner_page.reload()
    expect(owner_page.locator("#signoffs")).to_contain_text("Approved")
    with owner_page.expect_download() as download_info:
        owner_page.get_by_role("link", name="Download Markdown").click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    text = target.read_text()
    assert "Ines Haddad" in text and "Tomas Brennan" in text
    assert "Approved: 2 of 2 sign-offs." in text
    assert "Checked the retention targets" in text


def test_without_javascript_a_reviewer_comments_on_an_answer(
    leak_session: ScopingSession, browser: Browser, browser_context_args: dict[str, Any]
) -> None:
    session = leak_session
    reviewer = User.objects.create_user(email=REVIEWER_EMAIL, password=E2E_PASSWORD, name="Rita Reviewer")
    Membership.objects.create(session=session, user=reviewer, role=MemberRole.REVIEWER)
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    try:
        page = context.new_page()
        login_via_ui(page, email=reviewer.email)
        page.goto(f"/sessions/{session.id}/stages/1/")
        box = page.locator("#S1Q1 details.comments")
        box.locator("summary").click()
        box.get_by_role("link", name="Open the comments").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Comments on the answer to “{question_text('S1Q1')}”"
        )
        page.get_by_label("New comment").fill("Is the 3-day target for all district meter areas?")
        page.get_by_role("button", name="Comment").click()
        expect(page.locator(".comment-body")).to_have_text("Is the 3-day target for all district meter areas?")
        shot(page, "no-js-comments-page")
        assert CommentThread.objects.get(session=session).target == "S1Q1"

        page.get_by_role("link", name=re.compile(r"^← Back to the answer")).click()
        expect(page).to_have_url(re.compile(rf"/sessions/{session.id}/stages/1/#S1Q1$"))
        expect(page.locator("#S1Q1 .comment-count")).to_have_text("(1 unresolved)")
    finally:
        context.close()
