"""The other entry points of the image: configuration errors, the worker, the health check, check --deploy."""

from __future__ import annotations

import importlib.util
import re
import secrets
import signal
from pathlib import Path

import pytest

from tests.deploy.conftest import (
    REPO,
    Process,
    compose_command,
    free_port,
    image_cmd,
    image_healthcheck,
    production_env,
    run,
)

ONE_LINE_ERROR = "Configuration error: Set the {name} environment variable"


@pytest.mark.parametrize("name", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_web_without_a_required_variable_stops_with_one_line(name: str) -> None:
    result = run(image_cmd(), production_env(**{name: None, "PORT": str(free_port())}), timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert ONE_LINE_ERROR.format(name=name) in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize("service", ["migrate", "worker"])
def test_management_commands_without_secret_key_stop_with_one_line(service: str) -> None:
    result = run(compose_command(service), production_env(SECRET_KEY=None), timeout=120)
    assert result.returncode != 0
    assert ONE_LINE_ERROR.format(name="SECRET_KEY") in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = production_env(REDIS_URL="redis://127.0.0.1:6379/0", CSRF_TRUSTED_ORIGINS="https://uaip.example.com")
    result = run(["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.deploy_postgres
def test_container_healthcheck_passes_on_a_serving_container(
    deployment: dict[str, str], web_server: tuple[int, Process]
) -> None:
    port, _ = web_server
    result = run(image_healthcheck(), {**deployment, "PORT": str(port)})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("allowed_hosts", "probe_host"),
    [("uaip.example.com,localhost", "uaip.example.com"), (".example.com", "example.com"), ("*", "localhost")],
)
def test_container_healthcheck_sends_a_host_django_accepts(
    allowed_hosts: str, probe_host: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("healthcheck", REPO / "deploy" / "healthcheck.py")
    assert spec and spec.loader
    healthcheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(healthcheck)
    monkeypatch.setenv("ALLOWED_HOSTS", allowed_hosts)
    assert healthcheck.probe_host() == probe_host


def test_container_healthcheck_fails_when_nothing_answers() -> None:
    result = run(image_healthcheck(), production_env(PORT=str(free_port())))
    assert result.returncode == 1
    assert "unhealthy" in result.stderr


@pytest.mark.deploy_postgres
def test_worker_runs_queued_tasks_and_stops_cleanly_on_sigterm(deployment: dict[str, str], tmp_path: Path) -> None:
    marker, text = tmp_path / "marker.txt", secrets.token_hex(8)
    enqueue = run(
        [
            "python",
            "manage.py",
            "shell",
            "-c",
            f"from tests.deploy.tasks import write_marker; write_marker.enqueue({str(marker)!r}, {text!r})",
        ],
        deployment,
    )
    assert enqueue.returncode == 0, enqueue.stderr
    worker = Process(compose_command("worker"), deployment, tmp_path / "worker.log")
    try:
        worker.wait_for(lambda: marker.exists() and marker.read_text() == text, "the queued task ran")
        assert re.search(r"Starting worker", worker.output), worker.output
    finally:
        status = worker.stop(signal.SIGTERM)  # what `docker stop` sends
    assert status == 0, worker.output


def test_env_example_and_deployment_guide_name_every_setting() -> None:
    sources = [REPO / "uaip" / "settings.py", REPO / "deploy" / "gunicorn.conf.py"]
    pattern = re.compile(
        r"""(?:env_\w+|require_env|os\.environ\.get|os\.getenv|_env_int)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    )
    names = {name for source in sources for name in pattern.findall(source.read_text())}
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY"} <= names  # the scan itself works
    env_example = (REPO / ".env.example").read_text()
    guide = (REPO / "docs" / "DEPLOYMENT.md").read_text()
    missing_example = sorted(n for n in names if not re.search(rf"^#?{n}=", env_example, re.M))
    missing_guide = sorted(n for n in names if f"`{n}`" not in guide)
    assert not missing_example, f"add these to .env.example: {missing_example}"
    assert not missing_guide, f"document these in docs/DEPLOYMENT.md: {missing_guide}"
