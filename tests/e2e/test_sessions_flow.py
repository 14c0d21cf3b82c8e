"""Scoping sessions in a real browser: accounts, the HTMX dashboard, rename, delete, errors and isolation."""

from __future__ import annotations

import re

from playwright.sync_api import Dialog, Page, expect

from accounts.models import User
from sessions_app.models import ScopingSession
from sessions_app.sessions.services import session_create
from tests.e2e.conftest import (
    DASHBOARD_URL,
    E2E_PASSWORD,
    LOGIN_URL,
    login_via_ui,
    logout_via_ui,
    register_via_ui,
)

SESSION_URL = re.compile(r"/sessions/[0-9a-f-]{36}/$")

# Set on `window` before an HTMX interaction and read afterwards: a full page load would wipe it.
MARK_PAGE = "() => { window.__e2eSamePage = true; }"
PAGE_IS_MARKED = "() => window.__e2eSamePage === true"


def session_rows(page: Page):
    return page.locator("#session-list li.session-row")


def create_session_via_form(page: Page, project_name: str, description: str = "") -> None:
    form = page.locator("#new-session-form")
    form.get_by_label("Project name").fill(project_name)
    form.get_by_label("Description (optional)").fill(description)
    form.get_by_role("button", name="Create session").click()


def test_session_lifecycle_from_registration_to_logout(page: Page):
    email = "ada.lovelace@example.com"

    register_via_ui(page, email=email, name="Ada")
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.locator("header")).to_contain_text("Ada")
    logout_via_ui(page)
    expect(page.locator("#messages")).to_contain_text("You are logged out.")

    login_via_ui(page, email=email, password=E2E_PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.locator("#empty-state")).to_be_visible()
    expect(page.locator("#empty-state")).to_contain_text("No sessions yet")
    expect(session_rows(page)).to_have_count(0)

    # Two sessions through the HTMX form, without leaving the page.
    page.evaluate(MARK_PAGE)
    create_session_via_form(page, "Churn prediction", "Which customers leave, and why")
    expect(session_rows(page)).to_have_count(1)
    expect(page.locator("#empty-state")).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text("Created “Churn prediction”.")
    # The form came back fresh and still submits through HTMX.
    expect(page.locator("#new-session-form").get_by_label("Project name")).to_have_value("")
    create_session_via_form(page, "Demand forecast")
    names = session_rows(page).locator(".session-name")
    expect(names).to_have_text(["Demand forecast", "Churn prediction"])
    assert page.evaluate(PAGE_IS_MARKED), "creating a session reloaded the whole page"
    expect(session_rows(page).first).to_contain_text("Stage 1 of 5")

    # The server lists them newest first too.
    page.reload()
    expect(names).to_have_text(["Demand forecast", "Churn prediction"])
    expect(page.locator("#empty-state")).to_be_hidden()

    # Rename on the session page (HTMX), then reload to see it stuck.
    page.get_by_role("link", name="Churn prediction").click()
    expect(page).to_have_url(SESSION_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Churn prediction")
    expect(page.locator(".description")).to_contain_text("Which customers leave, and why")
    page.evaluate(MARK_PAGE)
    page.locator("#session-header summary", has_text="Rename").click()
    rename_field = page.locator("#session-header").get_by_label("Project name")
    expect(rename_field).to_have_value("Churn prediction")
    rename_field.fill("Churn prediction v2")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#session-title")).to_have_text("Churn prediction v2")
    expect(page.get_by_role("status")).to_have_text("Renamed.")
    assert page.evaluate(PAGE_IS_MARKED), "renaming reloaded the whole page"
    expect(page.locator(".breadcrumbs")).to_contain_text("Churn prediction v2")
    expect(page).to_have_title(re.compile("^Churn prediction v2"))
    page.reload()
    expect(page.locator("#session-title")).to_have_text("Churn prediction v2")
    expect(page.locator(".breadcrumbs")).to_contain_text("Churn prediction v2")

    # Delete one from the dashboard, accepting the browser's confirm dialog.
    page.get_by_role("navigation", name="Account").get_by_role("link", name="My sessions").click()
    expect(page).to_have_url(DASHBOARD_URL)
    expect(names).to_have_text(["Demand forecast", "Churn prediction v2"])
    page.evaluate(MARK_PAGE)
    dialogs: list[str] = []

    def accept(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_role("button", name="Delete Demand forecast").click()
    expect(names).to_have_text(["Churn prediction v2"])
    assert len(dialogs) == 1 and dialogs[0].startswith("confirm: Delete “Demand forecast”"), dialogs
    assert page.evaluate(PAGE_IS_MARKED), "deleting from the dashboard reloaded the whole page"
    assert list(ScopingSession.objects.values_list("project_name", flat=True)) == ["Churn prediction v2"]

    # Delete the other through its confirmation page.
    page.get_by_role("link", name="Churn prediction v2").click()
    page.get_by_role("link", name="Delete session…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete “Churn prediction v2”?")
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.locator("#messages")).to_contain_text("Deleted “Churn prediction v2”.")
    expect(page.locator("#empty-state")).to_be_visible()
    expect(session_rows(page)).to_have_count(0)
    assert not ScopingSession.objects.exists()

    # Logged out, the dashboard sends the browser to the login page.
    logout_via_ui(page)
    page.goto("/sessions/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/sessions/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_wrong_password_keeps_user_on_login_page(page: Page, e2e_user: User):
    login_via_ui(page, email=e2e_user.email, password="not-the-password-at-all")
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("alert")).to_contain_text("Wrong e-mail address or password")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_cannot_view_other_users_session_page(logged_in_page: Page):
    page = logged_in_page
    stranger = User.objects.create_user(email="stranger@example.com", password=E2E_PASSWORD, name="Stranger")
    theirs = session_create(owner=stranger, project_name="Stranger's secret project")

    for path in (f"/sessions/{theirs.id}/", f"/sessions/{theirs.id}/delete/"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text("secret project")
    assert ScopingSession.objects.filter(pk=theirs.pk).exists()


def test_new_session_form_shows_error_next_to_project_name(logged_in_page: Page):
    page = logged_in_page
    form = page.locator("#new-session-form")
    name_field = form.get_by_label("Project name")

    # Empty: the browser's own validation stops the form (the field is `required`).
    form.get_by_role("button", name="Create session").click()
    assert name_field.evaluate("el => el.validity.valueMissing")

    # Blank after trimming gets past the browser; the server's message appears beside the field.
    page.evaluate(MARK_PAGE)
    create_session_via_form(page, "   ")
    name_block = form.locator(".field").filter(has=page.get_by_label("Project name"))
    expect(name_block.locator(".field-error")).to_have_text("This field is required.")
    expect(name_block).to_have_class(re.compile(r"\bhas-error\b"))
    expect(page.locator("form#new-session-form")).to_have_count(1)  # swapped in place, not nested
    expect(session_rows(page)).to_have_count(0)
    assert page.evaluate(PAGE_IS_MARKED)
    assert not ScopingSession.objects.exists()

    # The re-rendered form still works.
    create_session_via_form(page, "Second try")
    expect(session_rows(page).locator(".session-name")).to_have_text(["Second try"])
    expect(form.locator(".field-error")).to_have_count(0)


def test_rename_error_is_shown_next_to_project_name(logged_in_page: Page, e2e_user: User):
    page = logged_in_page
    session = session_create(owner=e2e_user, project_name="Keep this name")
    page.goto(f"/sessions/{session.id}/")
    header = page.locator("#session-header")
    header.locator("summary", has_text="Rename").click()
    header.get_by_label("Project name").fill("   ")
    header.get_by_role("button", name="Save name").click()

    name_block = header.locator(".field").filter(has=page.get_by_label("Project name"))
    expect(name_block.locator(".field-error")).to_have_text("This field is required.")
    expect(page.locator("#session-title")).to_have_text("Keep this name")
    session.refresh_from_db()
    assert session.project_name == "Keep this name"


def test_rate_limited_create_shows_message_in_place(logged_in_page: Page, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "session_write": "1/h"}
    page = logged_in_page
    page.evaluate(MARK_PAGE)
    create_session_via_form(page, "First")
    expect(session_rows(page)).to_have_count(1)

    create_session_via_form(page, "Second")
    expect(page.locator("#messages").get_by_role("alert")).to_contain_text("too many requests")
    expect(session_rows(page).locator(".session-name")).to_have_text(["First"])
    expect(page.locator("#new-session-form")).to_be_visible()
    assert page.evaluate(PAGE_IS_MARKED)
