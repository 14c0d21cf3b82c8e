"""Fixtures shared by the whole suite."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from tests.browser import CHROMIUM, INSTALL_HINT, browser_required, chromium_available
from tests.helpers import IMMEDIATE_TASKS

TEST_PASSWORD = "a-long-test-password-42"

_SKIPPED_BROWSER_TESTS: list[str] = []


@pytest.hookimpl(trylast=True)  # after tests/e2e/conftest.py has marked its items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, browser tests (marked ``e2e``) are skipped on a developer's machine, with one line in the
    summary saying how to get them; under ``CI=true`` they run and fail instead, so CI cannot pass without them."""
    if chromium_available() or browser_required():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM}: {INSTALL_HINT}")
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(skip)
            _SKIPPED_BROWSER_TESTS.append(item.nodeid)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SKIPPED_BROWSER_TESTS:
        terminalreporter.write_line(
            f"{len(_SKIPPED_BROWSER_TESTS)} browser tests skipped: no Chromium at {CHROMIUM}. "
            f"Install it with `{INSTALL_HINT}` to run them (under CI=true they fail instead).",
            yellow=True,
        )


_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached health results live in the cache: every test starts from zero."""
    for alias in ("default",):
        caches[alias].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _no_real_llm(settings):
    """A developer's own API key or Ollama server never leaks into a test: the offline provider answers
    unless a test points a provider at a fake server."""
    settings.ANTHROPIC_API_KEY = ""
    settings.ANTHROPIC_BASE_URL = ""
    settings.OLLAMA_HOST = ""


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(email: str | None = None, password: str = TEST_PASSWORD, name: str = "Test User", **extra) -> User:
        return User.objects.create_user(
            email=email or f"user{next(_emails)}@example.com", password=password, name=name, **extra
        )

    return make


@pytest.fixture
def user(make_user) -> User:
    return make_user(email="owner@example.com", name="Owner")


@pytest.fixture
def other_user(make_user) -> User:
    return make_user(email="intruder@example.com", name="Intruder")


def bearer_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def api(user) -> APIClient:
    """An API client authenticated as ``user`` with a real JWT access token."""
    return bearer_client(user)


@pytest.fixture
def other_api(other_user) -> APIClient:
    return bearer_client(other_user)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def web(client: Client, user: User) -> Client:
    """The browser client, logged in as ``user``."""
    client.force_login(user)
    return client


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    """Background tasks run in-process when enqueued (Django's ImmediateBackend) instead of waiting for a worker."""
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def run_tasks(immediate_tasks: None, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """``run_tasks(client.post, url, data)``: the call's background work runs at once, as the worker would after
    the commit; returns what the call returns."""

    def call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return method(*args, **kwargs)

    return call
