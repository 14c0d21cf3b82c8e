"""DRF imports the classes its settings name while it defines ``APIView``: a module named there must import
without ``rest_framework.views`` already loaded. The test process has loaded everything, so the check runs in a
fresh interpreter, importing each such module first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _named_modules() -> list[str]:
    values = []
    for value in settings.REST_FRAMEWORK.values():
        values += value if isinstance(value, list) else [value]
    return sorted(
        {str(v).rsplit(".", 1)[0] for v in values if str(v).startswith(("uaip.", "accounts.", "sessions_app."))}
    )


@pytest.mark.parametrize("module", _named_modules())
def test_a_module_drf_settings_name_imports_first_in_a_fresh_process(module):
    code = f"import django; django.setup(); import {module}; import rest_framework.views"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "uaip.settings", "DJANGO_DEBUG": "1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
