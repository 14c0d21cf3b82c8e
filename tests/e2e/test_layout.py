"""The pages at a phone's width, flash messages that can be dismissed, and the favicon, in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from accounts.models import User
from tests.e2e.test_sessions_flow import create_session_via_form, session_rows
from tests.sessions_app.factories import make_session

PHONE = {"width": 390, "height": 844}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
LONG_NAME = "Regional ambulance dispatch demand forecasting for the winter season"


def assert_fits(page: Page) -> None:
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} is wider than the screen"


def assert_on_screen(page: Page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], f"cut off at the side: {box}"


def test_dashboard_session_and_stage_pages_fit_a_phone(logged_in_page: Page, e2e_user: User):
    page = logged_in_page
    page.set_viewport_size(PHONE)
    session = make_session(e2e_user, project_name=LONG_NAME)
    page.reload()

    assert_fits(page)
    row = session_rows(page).first
    expect(row).to_contain_text(LONG_NAME)
    delete = row.get_by_role("button", name=f"Delete {LONG_NAME}")
    expect(delete).to_be_visible()
    assert_on_screen(page, delete)
    assert_on_screen(page, page.get_by_role("button", name="Log out"))

    page.goto(f"/sessions/{session.pk}/")
    assert_fits(page)
    page.goto(f"/sessions/{session.pk}/stages/1/")
    assert_fits(page)
    assert_on_screen(page, page.locator("main button[type=submit]").first)


def test_a_confirmation_can_be_dismissed_and_goes_out_of_the_way(logged_in_page: Page):
    page = logged_in_page
    create_session_via_form(page, "Parcel locker demand")
    message = page.locator("#messages .flash").filter(has_text="Created “Parcel locker demand”.")
    expect(message).to_be_visible()
    # It floats over the page's corner instead of pushing the content down.
    assert page.locator("#messages").evaluate("el => getComputedStyle(el).position") == "fixed"
    message.get_by_role("button", name="Dismiss this message").click()
    expect(message).to_have_count(0)
    expect(session_rows(page)).to_have_count(1)


def test_every_page_names_the_favicon(logged_in_page: Page):
    page = logged_in_page
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href and href.endswith(".svg")
    icon = page.request.get(href)
    assert icon.ok and icon.headers["content-type"].startswith("image/svg")
    legacy = page.request.get("/favicon.ico")
    assert legacy.ok and legacy.url.endswith(".svg")
