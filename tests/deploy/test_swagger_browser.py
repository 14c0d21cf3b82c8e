"""Swagger UI in a real browser against the production server: it renders under our CSP and fetches nothing
from anywhere but our own origin (no CDN)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import ConsoleMessage, expect, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.deploy.conftest import Process

pytestmark = [pytest.mark.deploy_postgres, pytest.mark.e2e]


def test_swagger_ui_renders_with_our_csp_and_no_foreign_requests(web_server: tuple[int, Process]) -> None:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"No Chromium at {CHROMIUM}: `apt-get install -y chromium`, or deselect with -m 'not e2e'.")
    port, _ = web_server
    origin = f"http://127.0.0.1:{port}"
    requested: list[str] = []
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # As if through the TLS proxy: Django then serves HTTPS responses (no redirect, HSTS, full CSP).
            context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
            page = context.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.on("console", on_console)
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            page.goto(f"{origin}/api/v1/docs")
            # The title comes from the schema, fetched by the UI; an operation block means it rendered it.
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("UAIP API", timeout=20_000)
            expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
            page.wait_for_load_state("networkidle")
        finally:
            browser.close()

    foreign = [url for url in requested if not url.startswith((origin, "data:", "blob:"))]
    assert not foreign, f"requests outside our origin: {foreign}"
    assert any("/static/drf_spectacular_sidecar/" in url for url in requested), requested
    assert not console_errors, f"browser errors (CSP violations show here): {console_errors}"
