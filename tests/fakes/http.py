"""A tiny scripted HTTP server for tests: real sockets on 127.0.0.1, answers taken from a queue.

Each test scripts the replies it needs (``server.queue(reply, reply, ...)``) or installs a responder
function for replies computed from the request (handy with concurrent callers). Every request received is
kept in ``server.requests`` for assertions. Nothing scripted → a loud 500, so a test cannot pass by accident.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class FakeResponse:
    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes → sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (released early when the server stops)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body if self.body is not None else {}).encode()


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def json(self) -> dict[str, Any]:
        assert isinstance(self.body, dict), f"expected a JSON object body, got {self.body!r}"
        return self.body


Responder = Callable[[ReceivedRequest], FakeResponse]


class ScriptedServer:
    """Subclasses route requests in ``respond``; ``next_scripted`` pops the queue (or calls the responder)."""

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._queue: deque[FakeResponse] = deque()
        self._responder: Responder | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- scripting -------------------------------------------------------------------------------------------
    def queue(self, *responses: FakeResponse) -> None:
        with self._lock:
            self._queue.extend(responses)

    def respond_with(self, responder: Responder) -> None:
        self._responder = responder

    def next_scripted(self, request: ReceivedRequest) -> FakeResponse:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self._responder is not None:
            return self._responder(request)
        return self.unscripted(request)

    def unscripted(self, request: ReceivedRequest) -> FakeResponse:
        return FakeResponse(500, {"error": f"fake server: nothing scripted for {request.method} {request.path}"})

    def respond(self, request: ReceivedRequest) -> FakeResponse:
        raise NotImplementedError

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    def requests_to(self, path: str) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # --- lifecycle -------------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ScriptedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw
                request = ReceivedRequest(
                    method=self.command,
                    path=self.path.split("?")[0],
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with server._lock:
                    server.requests.append(request)
                response = server.respond(request)
                if response.delay and server._stopping.wait(response.delay):
                    return  # the server is stopping: drop the connection
                payload = response.encoded()
                try:
                    self.send_response(response.status)
                    if "content-type" not in {name.lower() for name in response.headers}:
                        self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            do_GET = do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: later connections are refused (the 'server down' scenario)."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
