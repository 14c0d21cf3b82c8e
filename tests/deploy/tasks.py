"""A task for the production worker test: its only effect is a file the test can look for."""

from __future__ import annotations

from pathlib import Path

from django.tasks import task


@task
def write_marker(path: str, text: str) -> None:
    Path(path).write_text(text)
