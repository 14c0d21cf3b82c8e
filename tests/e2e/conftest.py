"""Browser tests: Playwright drives Debian's Chromium against pytest-django's ``live_server``.

Everything under ``tests/e2e`` is marked ``e2e`` and runs on a transactional database (the live server answers
from another thread, so test data must be committed). Deselect with ``pytest -m "not e2e"``.

What later browser tests can reuse:

- ``page`` (pytest-playwright) already points at the live server: ``page.goto("/sessions/")`` works.
- ``e2e_user`` — a user made through the ORM, password :data:`E2E_PASSWORD`.
- ``logged_in_page`` — a ``page`` logged in as ``e2e_user`` through the login form, on the dashboard.
- :func:`register_via_ui`, :func:`login_via_ui`, :func:`logout_via_ui` — the account pages, used like a user.
- ``background_checks`` — answer checks really run while the browser waits (a ``db_worker`` on PostgreSQL).

Playwright's sync API keeps an asyncio loop running in the main thread while it is started, and Django
refuses ORM calls from a thread with a running loop. The ``playwright`` fixture below is therefore scoped to
this package (pytest-playwright's is session-wide) and sets ``DJANGO_ALLOW_ASYNC_UNSAFE`` only while it runs:
tests outside ``tests/e2e`` keep Django's async-safety check and can still call ``asyncio.run``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, BrowserType, Page, Playwright, expect, sync_playwright

from accounts.models import User
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import IMMEDIATE_TASKS

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parents[1]
E2E_PASSWORD = "a-long-browser-password-42"
# Generous for a loaded 2-core CI machine; expect() returns as soon as the condition holds.
EXPECT_TIMEOUT_MS = 10_000

DASHBOARD_URL = re.compile(r"/sessions/$")
LOGIN_URL = re.compile(r"/accounts/login/(\?next=.*)?$")

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: touch only the ones in this directory.
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


# --- Browser fixtures (package-scoped overrides of pytest-playwright's session-scoped ones) -----------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"No Chromium at {CHROMIUM}. Install it with `apt-get install -y chromium` (Playwright cannot "
            "download browsers here), set UAIP_CHROMIUM to another Chromium binary, or skip browser tests "
            "with `pytest -m 'not e2e'`.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Playwright]:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            if _pw_api_request_contexts:  # keeps pytest-playwright's --tracing working
                _pw_api_request_contexts.instrument(pw)
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def browser(browser_type: BrowserType, browser_type_launch_args: dict[str, Any]) -> Iterator[Browser]:
    browser = browser_type.launch(**browser_type_launch_args)
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(live_server: Any) -> dict[str, Any]:
    """Every page starts at the live server, so tests can ``page.goto("/sessions/")``."""
    return {"base_url": live_server.url, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


# --- Account helpers ----------------------------------------------------------------------------------------


def register_via_ui(page: Page, *, email: str, password: str = E2E_PASSWORD, name: str = "") -> None:
    """Fill in and submit the registration form; a successful registration lands on the dashboard."""
    page.goto("/accounts/register/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Register").click()


def login_via_ui(page: Page, *, email: str, password: str = E2E_PASSWORD) -> None:
    """Fill in and submit the login form; a successful login lands on the dashboard."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def logout_via_ui(page: Page) -> None:
    """Press the header's "Log out" button and wait for the login page it redirects to."""
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(LOGIN_URL)


# --- Users and logged-in pages ------------------------------------------------------------------------------


@pytest.fixture
def e2e_user(transactional_db: None) -> User:
    return User.objects.create_user(email="browser.user@example.com", password=E2E_PASSWORD, name="Browser User")


@pytest.fixture
def logged_in_page(page: Page, e2e_user: User) -> Page:
    """``page`` logged in as ``e2e_user`` through the login form, showing the dashboard."""
    login_via_ui(page, email=e2e_user.email)
    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return page


@pytest.fixture
def background_checks(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[str]:
    """Answer checks really run while the browser waits for them.

    On PostgreSQL a real ``manage.py db_worker`` runs against the live server's test database for the test's
    duration. On SQLite the test database lives in memory and cannot be shared with another process, so the live
    server runs tasks with Django's ImmediateBackend instead: the check runs as the answer's transaction commits,
    before the response. The page still shows the run as just queued and learns of its end by polling.
    """
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        settings.TASKS = IMMEDIATE_TASKS
        yield "immediate"
        return
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_DEBUG": "1",
        "ANTHROPIC_API_KEY": "",  # the offline provider answers, as in every other test
        "OLLAMA_HOST": "",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path / "db_worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1", "--skip-llm-check"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield "worker"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
    assert worker.returncode is not None, log.read_text()
