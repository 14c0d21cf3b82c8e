"""The deployed web tier (gunicorn, production settings) through outages: Redis stopped, PostgreSQL cut off and
its connections terminated. Never a 500; everything back by itself once the service is."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from tests.deploy.conftest import Process, free_port, health_is_up, image_cmd
from tests.faults import PrivateRedis, TcpProxy

pytestmark = pytest.mark.deploy_postgres

RECOVERY_DEADLINE_S = 30


def request(port: int, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        content_type = response.getheader("Content-Type", "")
        parsed = json.loads(raw) if content_type.startswith("application/json") and raw else raw.decode()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, parsed
    finally:
        connection.close()


def via(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}@127.0.0.1:{port}" if parts.username else f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Stack:
    def __init__(self, port: int, redis: PrivateRedis, proxy: TcpProxy, database_url: str) -> None:
        self.port, self.redis, self.proxy, self.database_url = port, redis, proxy, database_url
        self.token = ""

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
        return request(self.port, method, path, body, self.token)

    def until_ok(self, method: str, path: str, body: Any = None) -> list[int]:
        """Statuses of repeated calls until one succeeds (or the deadline): what a retrying client sees."""
        statuses: list[int] = []
        deadline = time.monotonic() + RECOVERY_DEADLINE_S
        while time.monotonic() < deadline:
            statuses.append(self.call(method, path, body)[0])
            if statuses[-1] < 300:
                return statuses
            time.sleep(0.2)
        return statuses


@pytest.fixture(scope="module")
def stack(deployment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    redis = PrivateRedis()
    redis.start()
    database = urlsplit(deployment["DATABASE_URL"])
    proxy = TcpProxy(database.port or 5432, database.hostname or "127.0.0.1")
    proxy.start()
    port = free_port()
    env = {
        **deployment,
        "PORT": str(port),
        "REDIS_URL": redis.url,
        "DATABASE_URL": via(deployment["DATABASE_URL"], proxy.port),
    }
    server = Process(image_cmd(), env, tmp_path_factory.mktemp("outages") / "web.log")
    try:
        server.wait_for(lambda: health_is_up(port), "answer on /api/v1/health")
        built = Stack(port, redis, proxy, deployment["DATABASE_URL"])
        status, _, body = built.call(
            "POST", "/api/v1/auth/register", {"email": "outage@example.com", "password": "a-long-outage-password-7"}
        )
        assert status == 201, body
        built.token = body["token"]
        yield built
    finally:
        server.stop()
        proxy.stop()
        redis.stop()
        assert "Traceback" not in server.output or "Internal Server Error" not in server.output


def test_redis_stopped_degrades_without_a_single_500(stack: Stack) -> None:
    stack.redis.stop()
    try:
        calls = [
            stack.call("GET", "/api/v1/sessions"),
            stack.call("POST", "/api/v1/sessions", {"project_name": "Written while Redis is down"}),
            stack.call(
                "POST", "/api/v1/auth/login", {"email": "outage@example.com", "password": "a-long-outage-password-7"}
            ),
            stack.call("GET", "/api/v1/auth/me"),
        ]
        assert [status for status, _, _ in calls] == [200, 201, 200, 200]
        status, _, health = stack.call("GET", "/api/v1/health")
        assert status == 200 and health["status"] == "degraded" and health["cache"] == "down"
    finally:
        stack.redis.start()
    statuses = stack.until_ok("GET", "/api/v1/health")
    assert statuses[-1] == 200
    assert stack.call("GET", "/api/v1/health")[2]["cache"] == "ok"


def test_database_cut_off_answers_503_then_recovers_by_itself(stack: Stack) -> None:
    assert stack.call("GET", "/api/v1/sessions")[0] == 200
    stack.proxy.cut()
    try:
        during = [stack.call("GET", "/api/v1/sessions") for _ in range(5)]
        during.append(stack.call("POST", "/api/v1/sessions", {"project_name": "During the outage"}))
        health = stack.call("GET", "/api/v1/health")
    finally:
        stack.proxy.restore()
    assert [status for status, _, _ in during] == [503] * len(during)
    for _, headers, body in during:
        assert body["code"] == "service_unavailable" and int(headers["retry-after"]) >= 1
    assert health[0] == 503 and health[2]["status"] == "unhealthy"
    statuses = stack.until_ok("GET", "/api/v1/sessions")
    assert 500 not in statuses and statuses[-1] == 200


def test_terminated_connections_never_give_a_500(stack: Stack) -> None:
    for _ in range(4):  # warm the workers' persistent connections
        assert stack.call("GET", "/api/v1/sessions")[0] == 200
    name = urlsplit(stack.database_url).path.lstrip("/")
    with psycopg.connect(stack.database_url, autocommit=True) as admin:
        cut = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()
    assert cut and cut[0] >= 1
    statuses = [stack.call("GET", "/api/v1/sessions")[0] for _ in range(8)]
    assert 500 not in statuses
    assert stack.until_ok("GET", "/api/v1/sessions")[-1] == 200
