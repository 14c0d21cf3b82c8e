"""The production entry points, run as the container runs them: real processes, production settings.

Nothing here imports the app in-process. Each test starts the commands that the image and the compose file
declare (the Dockerfile's ``CMD`` and ``HEALTHCHECK``, the compose ``command:`` of ``migrate`` and ``worker``)
from the repository root, which has the image's layout (``/app``), with this virtualenv's ``bin`` first on
``PATH`` (the image's ``/opt/venv/bin``) and an environment holding only production settings.

PostgreSQL: the ``deployment`` fixture creates a throwaway database and drops it at the end, on the server of
``DATABASE_URL`` when that is PostgreSQL (CI), else on ``UAIP_DEPLOY_POSTGRES_URL`` or
``postgres://postgres@127.0.0.1:5432/postgres``. Tests using it are skipped when that server does not answer,
unless ``DATABASE_URL`` names PostgreSQL or ``CI`` is set: then an unreachable server fails them instead.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import yaml
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# Upper bounds for a process to become ready or to stop; every wait ends as soon as the condition holds.
START_DEADLINE_S = 90
STOP_DEADLINE_S = 45


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "deploy_postgres: starts production processes against a throwaway PostgreSQL database"
    )


# --- What the image and the compose file declare ------------------------------------------------------------


def dockerfile_instruction(keyword: str) -> str:
    """The argument text of the last ``keyword`` instruction of the Dockerfile (the runtime stage)."""
    text = (REPO / "Dockerfile").read_text()
    logical_lines = re.sub(r"\\\n", " ", text).splitlines()
    found = [line.strip()[len(keyword) :].strip() for line in logical_lines if line.strip().startswith(keyword + " ")]
    assert found, f"the Dockerfile has no {keyword} instruction"
    return found[-1]


def image_cmd() -> list[str]:
    """The image's ``CMD`` (exec form): what a web container runs."""
    return json.loads(dockerfile_instruction("CMD"))


def image_healthcheck() -> list[str]:
    """The image's ``HEALTHCHECK ... CMD [...]``, with the image's /app mapped to this checkout."""
    argument = dockerfile_instruction("HEALTHCHECK")
    command = json.loads(argument[argument.index("CMD") + len("CMD") :].strip())
    return [part.replace("/app/", f"{REPO}/") for part in command]


def compose_command(service: str) -> list[str]:
    compose = yaml.safe_load((REPO / "docker-compose.prod.yml").read_text())
    command = compose["services"][service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def resolve(command: Sequence[str]) -> list[str]:
    """Run ``command[0]`` from this virtualenv, as the image's PATH starts with its virtualenv."""
    executable = shutil.which(command[0], path=str(VENV_BIN)) or shutil.which(command[0])
    assert executable, f"{command[0]} is not installed"
    return [executable, *command[1:]]


# --- Environment --------------------------------------------------------------------------------------------


def production_env(**overrides: str | None) -> dict[str, str]:
    """Only what a production container would see (nothing from the test run); ``None`` removes a variable."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "uaip.settings",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/unused",
        "SECURE_PROXY_SSL_HEADER": "1",
        # Small and quick on a 2-core CI machine; the defaults are exercised by the image, not by these tests.
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
    }
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(command: Sequence[str], env: Mapping[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        resolve(command),
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- HTTP ---------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(port: int, path: str, *, https: bool = False, headers: Mapping[str, str] | None = None) -> Reply:
    """One request to the server on ``port``; ``https=True`` arrives as the TLS proxy would forward it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    all_headers = {"Host": "127.0.0.1", **(headers or {})}
    if https:
        all_headers["X-Forwarded-Proto"] = "https"
    try:
        connection.request("GET", path, headers=all_headers)
        response = connection.getresponse()
        return Reply(response.status, response.msg, response.read())
    finally:
        connection.close()


# --- Processes ----------------------------------------------------------------------------------------------


class Process:
    """A background process whose combined output goes to a file, so it can be read while it runs."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.popen = subprocess.Popen(
            resolve(command),
            cwd=REPO,
            env=dict(env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, condition: Any, what: str) -> None:
        """Poll ``condition()`` until it holds; fail with the output if the process dies or time runs out."""
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if condition():
                return
            if self.popen.poll() is not None:
                pytest.fail(f"process exited ({self.popen.returncode}) before {what}:\n{self.output[-4000:]}")
            time.sleep(0.2)
        pytest.fail(f"no {what} within {START_DEADLINE_S} s:\n{self.output[-4000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` (docker stop sends SIGTERM) and return the exit status; kill if it will not stop."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._log.close()
        return self.popen.returncode


def health_is_up(port: int) -> bool:
    try:
        return fetch(port, "/api/v1/health").status == 200
    except OSError:
        return False


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _postgres_is_required() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) or bool(os.environ.get("CI"))


def _admin_url() -> str:
    explicit = os.environ.get("UAIP_DEPLOY_POSTGRES_URL")
    if explicit:
        return explicit
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://")):
        return with_database(database_url, "postgres")
    return DEFAULT_ADMIN_URL


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    url = _admin_url()
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL at {url} does not answer ({str(exc).strip().splitlines()[0]})"
        if _postgres_is_required():
            pytest.fail(f"{message}; the production-entry-point tests must run here.", pytrace=False)
        pytest.skip(f"{message}; set UAIP_DEPLOY_POSTGRES_URL to run the production-entry-point tests.")
    return url


@pytest.fixture(scope="session")
def throwaway_database(postgres_admin_url: str) -> Iterator[str]:
    """A new, empty database for this run; its URL. Dropped (with any open connections) at the end."""
    name = f"uaip_deploy_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(postgres_admin_url, name)
    finally:
        with psycopg.connect(postgres_admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _redis_url() -> str | None:
    """Production caches in Redis: use the local one when it answers (CI has one), else local memory."""
    url = os.environ.get("UAIP_DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/15")
    host_port = url.split("://", 1)[1].split("/", 1)[0]
    host, _, port = host_port.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port or 6379)), timeout=2).close()
    except OSError:
        return None
    return url


@pytest.fixture(scope="session")
def deployment(throwaway_database: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The production environment of a freshly deployed release: migrated database, collected static files."""
    static_root = tmp_path_factory.mktemp("staticfiles")
    env = production_env(DATABASE_URL=throwaway_database, STATIC_ROOT=str(static_root), REDIS_URL=_redis_url())
    migrate = run(compose_command("migrate"), env, timeout=300)
    assert migrate.returncode == 0, f"the compose `migrate` command failed:\n{migrate.stdout}\n{migrate.stderr}"
    # The Dockerfile runs the same command at build time.
    collect = run(["python", "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], env, timeout=300)
    assert collect.returncode == 0, f"collectstatic failed:\n{collect.stdout}\n{collect.stderr}"
    return env


@pytest.fixture(scope="session")
def web_server(deployment: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Process]]:
    """The image's CMD (gunicorn, deploy/gunicorn.conf.py) serving the deployment: (port, process)."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "web.log"
    server = Process(image_cmd(), {**deployment, "PORT": str(port)}, log)
    try:
        server.wait_for(lambda: health_is_up(port), "answer on /api/v1/health")
        yield port, server
    finally:
        server.stop()
