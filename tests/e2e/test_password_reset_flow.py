"""Forgot your password? In a real browser: the login page's link, the e-mailed one-time link, a new password,
and the account's other browser logged out."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tests.accounts.security_helpers import reset_link
from tests.e2e.conftest import DASHBOARD_URL, LOGIN_URL, login_via_ui

NEW_PASSWORD = "a-fresh-browser-passphrase-31"


def test_forgotten_password_is_reset_through_the_e_mailed_link(
    page: Page, browser: Browser, browser_context_args: dict[str, Any], e2e_user: User, mailoutbox: list[Any]
):
    other_browser = browser.new_context(**browser_context_args)
    other_page = other_browser.new_page()
    login_via_ui(other_page, email=e2e_user.email)
    expect(other_page).to_have_url(DASHBOARD_URL)

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill(e2e_user.email.upper())
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    assert len(mailoutbox) == 1 and mailoutbox[0].to == [e2e_user.email]
    page.goto(reset_link(mailoutbox[0].body)[1])
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.locator("#messages")).to_contain_text("Your password is set.")

    login_via_ui(page, email=e2e_user.email, password=NEW_PASSWORD)
    expect(page).to_have_url(DASHBOARD_URL)

    other_page.reload()
    expect(other_page).to_have_url(re.compile(r"/accounts/login/\?next=/sessions/$"))
    other_browser.close()
