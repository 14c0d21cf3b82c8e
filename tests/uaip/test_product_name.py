"""One product name: "UAIP" (and "UAIP Scoping Assistant"), never the hyphenated spelling, in anything we ship."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("*.py", "*.html", "*.md", "*.yaml", "*.yml", "*.toml", "*.txt", "*.js", "*.css", "Dockerfile")
OTHER_SPELLING = "U" + "-AIP"  # split so this file does not match itself


def test_no_file_uses_another_spelling_of_the_product_name():
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", *SHIPPED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert files, "git ls-files listed nothing"
    offenders = [name for name in files if (ROOT / name).is_file() and OTHER_SPELLING in (ROOT / name).read_text()]
    assert offenders == []
