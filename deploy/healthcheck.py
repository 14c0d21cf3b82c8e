"""Container health check: exit 0 when ``GET /api/v1/health`` on this container answers 200, else 1.

The image has no curl. The request carries the first ``ALLOWED_HOSTS`` entry as its Host header, because
Django refuses (400) any other host once ``DJANGO_DEBUG`` is off; the health path is exempt from the HTTPS
redirect.
Only the standard library: it must not pay for importing Django every 30 seconds.
"""

from __future__ import annotations

import http.client
import os
import sys


def probe_host() -> str:
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = entry.strip().lstrip(".")  # ".example.com" allows example.com and its subdomains
        if host and "*" not in host:
            return host
    return "localhost"


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/api/v1/health", headers={"Host": probe_host(), "Accept": "application/json"})
        response = connection.getresponse()
        body = response.read(500).decode("utf-8", "replace")
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print(f"unhealthy: HTTP {response.status} {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
