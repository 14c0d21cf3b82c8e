"""Run the development web server and the background task worker together (what ``make run`` starts)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _listening(addrport: str, *, until_dead: subprocess.Popen[bytes], deadline_s: float = 120) -> bool:
    """Wait until something accepts connections on ``addrport`` (``host:port`` or a port); ``False`` if the web
    server exits first or the deadline passes."""
    host, _, port = addrport.rpartition(":")
    host = (host or "127.0.0.1").strip("[]")
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline and until_dead.poll() is None:
        try:
            socket.create_connection((host, int(port)), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Start the web server and the task worker side by side; Ctrl+C stops both."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        # Stop the children too when we are terminated, not only on Ctrl+C.
        signal.signal(signal.SIGTERM, _interrupt)
        manage = [sys.executable, "manage.py"]
        # Each child leads its own process group, so stopping it also stops what it started (runserver's
        # autoreloader runs the server in a grandchild).
        worker = subprocess.Popen([*manage, "db_worker", "--no-reload", "--interval", "0.5"], start_new_session=True)
        web = subprocess.Popen([*manage, "runserver", addrport], start_new_session=True)
        processes = {"web server": web, "task worker": worker}
        try:
            # Only once the port answers: the server first runs its checks and migrations check (seconds).
            if _listening(addrport, until_dead=web):
                self.stdout.write(self.style.SUCCESS(f"\nUAIP is running at http://{addrport}/  (Ctrl+C to stop)\n"))
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(f"The {name} stopped (exit code {process.returncode}); stopping UAIP.")
                        return
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping UAIP…")
        finally:
            # SIGTERM, not SIGINT: a shell that starts `make run` in the background makes its jobs ignore SIGINT.
            for process in processes.values():
                _signal_group(process, signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait(timeout=5)
