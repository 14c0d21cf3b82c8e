"""gunicorn, started with the image's CMD and production settings against PostgreSQL, serving real HTTP."""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser

import pytest

from tests.deploy.conftest import Process, fetch

pytestmark = pytest.mark.deploy_postgres


class AssetCollector(HTMLParser):
    """Every URL a page makes the browser fetch: script src, stylesheet and icon href, img src."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            if values.get("src"):
                self.urls.append(values["src"] or "")
            else:
                self.inline_scripts += 1
        elif tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")
        elif tag == "img" and values.get("src"):
            self.urls.append(values["src"] or "")


def assets_of(html: str) -> AssetCollector:
    collector = AssetCollector()
    collector.feed(html)
    return collector


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_health_answers_200_over_plain_http(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/api/v1/health")
    assert reply.status == 200, reply.text
    assert reply.json()["status"] == "healthy"
    assert reply.json()["database"] == "ok"


def test_plain_http_pages_redirect_to_https(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/accounts/login/")
    assert reply.status == 301
    assert reply.headers["Location"] == "https://127.0.0.1/accounts/login/"


def test_https_pages_carry_the_security_headers(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/accounts/login/", https=True)
    assert reply.status == 200, reply.text[:500]
    assert reply.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "same-origin"
    assert reply.headers["X-Frame-Options"] == "DENY"
    csp = csp_directives(reply.headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_pages_have_no_inline_scripts_and_nonced_htmx(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/accounts/login/", https=True)
    page = assets_of(reply.text)
    assert page.inline_scripts == 0
    nonce = re.search(r"'nonce-([^']+)'", reply.headers["Content-Security-Policy"])
    assert nonce, reply.headers["Content-Security-Policy"]
    assert f'nonce="{nonce.group(1)}"' in reply.text  # htmx's <script src> carries this response's nonce


def test_cookies_are_secure(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/accounts/login/", https=True)
    cookies = reply.headers.get_all("Set-Cookie") or []
    csrf = [cookie for cookie in cookies if cookie.startswith("csrftoken=")]
    assert csrf, cookies
    assert "Secure" in csrf[0].split("; ")


def test_unknown_web_path_gets_the_html_404_page(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/no-such-page/", https=True)
    assert reply.status == 404
    assert reply.headers["Content-Type"].startswith("text/html")
    assert "Page not found" in reply.text
    assert "URLconf" not in reply.text and "Traceback" not in reply.text  # never Django's debug page


def test_unknown_api_path_gets_json_404(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/api/v1/no-such-thing", https=True)
    assert reply.status == 404
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.json()["code"] == "not_found"


def test_static_files_are_served_by_whitenoise_with_hashed_names(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    page = fetch(port, "/accounts/login/", https=True).text
    stylesheets = [url for url in assets_of(page).urls if url.endswith(".css")]
    assert stylesheets, page[:1000]
    # The manifest storage renamed it: /static/css/uaip.<12 hex>.css, cacheable forever.
    assert re.fullmatch(r"/static/.+\.[0-9a-f]{12}\.css", stylesheets[0]), stylesheets
    reply = fetch(port, stylesheets[0], https=True, headers={"Accept-Encoding": "gzip"})
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/css")
    assert "immutable" in reply.headers["Cache-Control"]
    assert reply.headers["Content-Encoding"] == "gzip"  # pre-compressed at collectstatic


def test_swagger_ui_loads_only_our_own_static_files(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/api/v1/docs", https=True)
    assert reply.status == 200
    page = assets_of(reply.text)
    assert page.inline_scripts == 0
    scripts = [url for url in page.urls if ".js" in url or "script=" in url]
    assert len(scripts) >= 3, page.urls  # swagger-ui bundle, standalone preset, our initialiser
    for url in page.urls:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not served by us"
        asset = fetch(port, url, https=True)
        assert asset.status == 200, url
    csp = csp_directives(reply.headers["Content-Security-Policy"])
    assert "'unsafe-inline'" not in csp["script-src"]


def test_schema_is_served(web_server: tuple[int, Process]) -> None:
    port, _ = web_server
    reply = fetch(port, "/api/v1/schema", https=True, headers={"Accept": "application/json"})
    assert reply.status == 200
    assert "/api/v1/health" in reply.json()["paths"]


def test_every_log_line_is_json(web_server: tuple[int, Process]) -> None:
    port, server = web_server
    fetch(port, "/api/v1/health")
    lines = [line for line in server.output.splitlines() if line.strip()]
    assert lines
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            pytest.fail(f"not a JSON log line: {line!r}")
        assert {"event", "level", "timestamp"} <= event.keys(), line


def test_each_request_writes_one_log_line(web_server: tuple[int, Process]) -> None:
    """request_finished is the request's only line (no request_started, no gunicorn access line), and it carries
    the method and path, status, duration, user agent and request id."""
    port, server = web_server
    marker = f"/api/v1/health?one-line={time.monotonic_ns()}"
    assert fetch(port, marker, headers={"User-Agent": "one-line-test"}).status == 200
    deadline = time.monotonic() + 10
    while marker not in server.output and time.monotonic() < deadline:
        time.sleep(0.1)  # the worker flushes its line just after answering
    lines = [line for line in server.output.splitlines() if marker in line]
    assert len(lines) == 1, lines
    entry = json.loads(lines[0])
    assert entry["event"] == "request_finished"
    assert entry["request"] == f"GET {marker}" and entry["code"] == 200
    assert entry["user_agent"] == "one-line-test" and entry["request_id"]
    assert isinstance(entry["duration_ms"], float) and entry["duration_ms"] >= 0
