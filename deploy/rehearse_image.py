"""Rehearse the production image on a machine without a Docker engine (the CI machine has none).

Run from the repository root with the development virtualenv: ``.venv/bin/python deploy/rehearse_image.py``.
It does with the same files what ``docker build`` and ``docker compose up`` would do:

1. checks the Dockerfile: a numeric non-root ``USER``, a ``HEALTHCHECK``, ``CMD`` in exec form, no secret in
   ``ENV``/``ARG``, and that ``.dockerignore`` keeps ``.env``, ``.git`` and ``.venv`` out;
2. copies the build context, filtered by ``.dockerignore``, to a scratch ``/app``, and builds a fresh virtualenv
   from ``requirements/base.txt`` alone (the image's ``/opt/venv``; development tools are not in it);
3. runs the runtime stage's ``RUN`` steps there (collectstatic, compileall) with the Dockerfile's ``ENV``;
4. against a throwaway PostgreSQL database, with ``HOME`` pointing nowhere as for the image's user: the compose
   ``migrate`` command; the image's ``CMD`` (gunicorn) until the image's ``HEALTHCHECK`` command passes; a hashed
   static file through whitenoise; the compose ``worker`` command with ``--batch``; gunicorn stopping on SIGTERM;
5. when nginx is installed: ``deploy/nginx.conf`` in front of gunicorn with a self-signed certificate (health,
   pages over HTTPS without a redirect loop, HSTS, plain HTTP redirected to HTTPS).

Not rehearsed: the base image, the build stage's own commands (reproduced with this machine's uv), users and
file ownership, the read-only root filesystem, the compose network and DNS, restart policies, health-check timing.
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
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import yaml
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
DEADLINE_S = 120  # upper bound for a process to become ready; every wait ends as soon as it is
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|TOKEN|API_KEY|PRIVATE", re.I)


class RehearsalError(Exception):
    pass


def step(message: str) -> None:
    print(f"  - {message}", flush=True)


def require(condition: object, message: str) -> None:
    if not condition:
        raise RehearsalError(message)


# --- The Dockerfile ------------------------------------------------------------------------------------------


@dataclass
class Stage:
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [argument for key, argument in self.instructions if key == keyword]


def parse_dockerfile(text: str) -> tuple[list[tuple[str, str]], list[Stage]]:
    """(instructions before the first FROM, stages). Continuation lines joined, comment lines dropped."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    preamble: list[tuple[str, str]] = []
    stages: list[Stage] = []
    for line in logical:
        keyword, _, argument = line.partition(" ")
        keyword, argument = keyword.upper(), argument.strip()
        if keyword == "FROM":
            words = argument.split()
            stages.append(Stage(words[2] if len(words) > 2 and words[1].upper() == "AS" else str(len(stages))))
        elif stages:
            stages[-1].instructions.append((keyword, argument))
        else:
            preamble.append((keyword, argument))
    return preamble, stages


def env_pairs(argument: str) -> list[tuple[str, str]]:
    return [tuple(word.split("=", 1)) for word in shlex.split(argument)]  # type: ignore[misc]


def expand(value: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda match: env.get(match.group(1), ""), value)


def check_dockerfile(preamble: list[tuple[str, str]], stages: list[Stage]) -> None:
    runtime = stages[-1]
    users = runtime.all("USER")
    require(users, "the runtime stage sets no USER: the container would run as root")
    require(re.fullmatch(r"[1-9]\d*(:\d+)?", users[-1]), f"USER {users[-1]} is not a numeric non-root uid")
    require(runtime.all("HEALTHCHECK"), "the runtime stage has no HEALTHCHECK")
    cmd = runtime.all("CMD")
    require(cmd and cmd[-1].startswith("["), "CMD is missing or not in exec form (signals would miss gunicorn)")
    for stage in stages:
        for key, argument in [*preamble, *stage.instructions]:
            if key in {"ENV", "ARG"}:
                names = [pair[0] for pair in env_pairs(argument)] if "=" in argument else argument.split()
                baked = [name for name in names if SECRET_NAMES.search(name)]
                require(not baked, f"{key} {baked} would bake a secret into the image")
    step(f"Dockerfile: USER {users[-1]}, HEALTHCHECK, exec-form CMD, no secret in ENV/ARG")


# --- The build context -----------------------------------------------------------------------------------------


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (negated, regex) in file order; the last matching rule decides, as in Docker."""
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").lstrip("/"))
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        rules.append((negated, re.compile(regex)))
    return rules


def is_ignored(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    ignored = False
    for negated, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


def copy_context(destination: Path) -> int:
    rules = ignore_rules((REPO / ".dockerignore").read_text())
    for must_skip in (".env", ".git/config", ".venv/bin/python", "db.sqlite3", "tests/conftest.py"):
        require(is_ignored(must_skip, rules), f".dockerignore lets {must_skip} into the image")
    copied = 0
    for directory, subdirectories, files in os.walk(REPO):
        base = Path(directory).relative_to(REPO).as_posix()
        prefix = "" if base == "." else base + "/"
        subdirectories[:] = [name for name in subdirectories if not is_ignored(prefix + name, rules)]
        for name in files:
            if not is_ignored(prefix + name, rules):
                target = destination / (prefix + name)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(directory) / name, target)
                copied += 1
    return copied


# --- Processes and HTTP ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: Sequence[str], env: Mapping[str, str], cwd: Path, what: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        list(command), cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=600, check=False
    )
    require(result.returncode == 0, f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


class Background:
    def __init__(self, command: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path) -> None:
        self.log = log
        self._file = log.open("wb")
        self.popen = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            if condition():
                return
            require(self.popen.poll() is None, f"exited ({self.popen.returncode}) before {what}:\n{self.output()}")
            time.sleep(0.25)
        raise RehearsalError(f"no {what} within {DEADLINE_S} s:\n{self.output()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._file.close()
        return self.popen.returncode


def get(
    port: int, path: str, headers: Mapping[str, str], tls: bool = False
) -> tuple[int, http.client.HTTPMessage, bytes]:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=30, context=context
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        return response.status, response.msg, response.read()
    finally:
        connection.close()


# --- PostgreSQL ----------------------------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def throwaway_database() -> Iterator[str]:
    admin_url = os.environ.get("UAIP_DEPLOY_POSTGRES_URL") or (
        with_database(os.environ["DATABASE_URL"], "postgres")
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        else "postgres://postgres@127.0.0.1:5432/postgres"
    )
    name = f"uaip_rehearsal_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def redis_url() -> str | None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/14"


# --- The rehearsal -------------------------------------------------------------------------------------------------


class Image:
    """The scratch image: /app and /opt/venv mapped to directories under ``root``."""

    def __init__(self, root: Path, stages: list[Stage]) -> None:
        self.app = root / "app"
        self.venv = root / "venv"
        self.home = root / "nonexistent"  # the image user's HOME: a process that writes there would fail
        self.runtime = stages[-1]

    def map_paths(self, text: str) -> str:
        text = re.sub(r"(?<![\w/.])/opt/venv(?=/|$|[\s:\"'])", str(self.venv), text)
        return re.sub(r"(?<![\w/.])/app(?=/|$|[\s:\"'])", str(self.app), text)

    def env(self) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "HOME": str(self.home)}
        for argument in self.runtime.all("ENV"):
            for name, value in env_pairs(argument):
                env[name] = self.map_paths(expand(value, env))
        return env

    def workdir(self) -> Path:
        return Path(self.map_paths(self.runtime.all("WORKDIR")[-1]))

    def cmd(self) -> list[str]:
        return [self.map_paths(part) for part in json.loads(self.runtime.all("CMD")[-1])]

    def healthcheck(self) -> list[str]:
        argument = self.runtime.all("HEALTHCHECK")[-1]
        return [self.map_paths(part) for part in json.loads(argument[argument.index("CMD") + 3 :].strip())]


def compose_command(service: str) -> list[str]:
    command = yaml.safe_load((REPO / "docker-compose.prod.yml").read_text())["services"][service]["command"]
    return command if isinstance(command, list) else shlex.split(command)


def build(image: Image) -> None:
    started = time.monotonic()
    copied = copy_context(image.app)
    step(f"build context: {copied} files after .dockerignore")
    uv = Path(sys.executable).parent / "uv"
    run([str(uv), "venv", "--quiet", str(image.venv), "--python", sys.executable], os.environ, REPO, "uv venv")
    sync = [
        str(uv),
        "pip",
        "sync",
        "--quiet",
        "--python",
        str(image.venv / "bin" / "python"),
        str(REPO / "requirements" / "base.txt"),
    ]
    offline = subprocess.run([*sync, "--offline"], capture_output=True, text=True, check=False)
    if offline.returncode != 0:  # not everything in uv's cache yet
        run(sync, os.environ, REPO, "uv pip sync requirements/base.txt")
    step("virtualenv from requirements/base.txt only")
    env = image.env()
    for argument in image.runtime.all("RUN"):
        if re.search(r"\b(groupadd|useradd|adduser|addgroup|chown)\b", argument):
            step(f"skipped (users and ownership are not rehearsed): RUN {argument[:60]}...")
            continue
        run(["/bin/sh", "-c", image.map_paths(argument)], env, image.workdir(), f"RUN {argument[:80]}")
        step(f"RUN {argument[:90]}")
    require((image.app / "staticfiles" / "staticfiles.json").exists(), "the build collected no static files")
    step(f"image assembled in {time.monotonic() - started:.0f} s")


def serve(image: Image, scratch: Path) -> None:
    with throwaway_database() as database_url:
        env = {
            **image.env(),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "SECURE_PROXY_SSL_HEADER": "1",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "2",
        }
        if cache := redis_url():
            env["REDIS_URL"] = cache
        run(compose_command("migrate"), env, image.workdir(), "compose `migrate` command")
        step(f"compose migrate: {shlex.join(compose_command('migrate'))}")

        port = free_port()
        env["PORT"] = str(port)
        web = Background(image.cmd(), env, image.workdir(), scratch / "web.log")
        try:

            def healthy() -> bool:
                check = subprocess.run(image.healthcheck(), env=env, capture_output=True, check=False)
                return check.returncode == 0

            web.wait_until(healthy, "a passing HEALTHCHECK")
            step(f"CMD {shlex.join(json.loads(image.runtime.all('CMD')[-1]))}: HEALTHCHECK passes")

            https = {"Host": "localhost", "X-Forwarded-Proto": "https"}
            status, _, body = get(port, "/accounts/login/", https)
            require(status == 200, f"/accounts/login/ answered {status}")
            stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', body)
            require(stylesheet, "the login page links no hashed stylesheet")
            assert stylesheet
            status, headers, _ = get(port, stylesheet.group(1).decode(), https)
            require(status == 200 and "immutable" in headers.get("Cache-Control", ""), "whitenoise did not serve")
            step(f"whitenoise serves {stylesheet.group(1).decode()} (immutable)")

            worker = [*compose_command("worker"), "--batch"]
            run(worker, env, image.workdir(), "compose `worker` command with --batch")
            step(f"compose worker: {shlex.join(worker)} exits 0")

            if shutil.which("nginx"):
                behind_nginx(port, scratch)
            else:
                step("nginx not installed: deploy/nginx.conf not rehearsed")
        finally:
            status = web.stop(signal.SIGTERM)
        require(status == 0, f"gunicorn exited {status} on SIGTERM:\n{web.output()}")
        step("gunicorn stops cleanly on SIGTERM (docker stop)")


def behind_nginx(upstream_port: int, scratch: Path) -> None:
    http_port, https_port = free_port(), free_port()
    certs = scratch / "certs"
    certs.mkdir()
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
            str(certs / "privkey.pem"),
            "-out",
            str(certs / "fullchain.pem"),
        ],
        os.environ,
        scratch,
        "openssl (self-signed certificate)",
    )
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    substitutions = [
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen \[::\]:80;", ""),
        (r"listen 443 ssl( http2)?;", f"listen 127.0.0.1:{https_port} ssl\\1;"),
        (r"listen \[::\]:443 ssl( http2)?;", ""),
        (r"resolver [^;]+;", ""),
        (r"set \$upstream http://web:8000;", f"set $upstream http://127.0.0.1:{upstream_port};"),
        (r"/etc/nginx/certs/", f"{certs}/"),
    ]
    for pattern, replacement in substitutions:
        conf, count = re.subn(pattern, replacement, conf)
        require(count, f"deploy/nginx.conf no longer has `{pattern}`: update deploy/rehearse_image.py")
    (scratch / "default.conf").write_text(conf)
    temp = scratch / "nginx-temp"
    temp.mkdir(mode=0o777)
    os.chmod(scratch, 0o755)
    (scratch / "nginx.conf").write_text(
        f"daemon off;\nworker_processes 1;\npid {scratch}/nginx.pid;\nerror_log stderr warn;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        f"  include {scratch}/default.conf;\n}}\n"
    )
    run(["nginx", "-t", "-q", "-c", str(scratch / "nginx.conf")], os.environ, scratch, "nginx -t")
    nginx = Background(["nginx", "-c", str(scratch / "nginx.conf")], os.environ, scratch, scratch / "nginx.log")
    try:

        def listening() -> bool:
            try:
                socket.create_connection(("127.0.0.1", https_port), timeout=1).close()
            except OSError:
                return False
            return True

        nginx.wait_until(listening, "nginx listening")
        host = {"Host": "localhost"}
        status, _, body = get(https_port, "/api/v1/health", host, tls=True)
        require(status == 200 and json.loads(body)["status"] == "healthy", f"health through nginx: {status}")
        status, headers, _ = get(https_port, "/accounts/login/", host, tls=True)
        require(status == 200, f"/accounts/login/ through nginx answered {status} (redirect loop?)")
        require(headers.get("Strict-Transport-Security"), "no HSTS through nginx")
        status, headers, _ = get(http_port, "/accounts/login/", host)
        require(status == 301 and headers.get("Location", "").startswith("https://"), "plain HTTP not redirected")
        step("deploy/nginx.conf (nginx -t; TLS): health 200, pages 200 with HSTS, plain HTTP -> 301 https")
    finally:
        nginx.stop(signal.SIGQUIT)


def main() -> int:
    started = time.monotonic()
    preamble, stages = parse_dockerfile((REPO / "Dockerfile").read_text())
    try:
        check_dockerfile(preamble, stages)
        with tempfile.TemporaryDirectory(prefix="uaip-image-") as root:
            image = Image(Path(root), stages)
            build(image)
            serve(image, Path(root))
    except RehearsalError as exc:
        print(f"image rehearsal FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"image rehearsal passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
