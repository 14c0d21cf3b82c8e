"""How the tests start Chromium: Debian's build (or the one named by UAIP_CHROMIUM), headless, with no background
networking (this machine's closed network refuses those connections)."""

import os

CHROMIUM = os.environ.get("UAIP_CHROMIUM", "/usr/bin/chromium")
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
