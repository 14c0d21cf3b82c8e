"""How the tests start Chromium: Debian's build (or the one named by UAIP_CHROMIUM), headless, with no background
networking (this machine's closed network refuses those connections)."""

import os

CHROMIUM = os.environ.get("UAIP_CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = "apt-get install -y chromium"


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK)


def browser_required() -> bool:
    """Under CI a missing browser fails the run; on a developer's machine the browser tests are skipped."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
