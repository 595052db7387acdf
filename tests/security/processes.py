"""Processes the fault tests start and stop themselves: a Redis of their own, a
throwaway PostgreSQL cluster, and the application under gunicorn as production
runs it. Each is bound in time and stopped by its own pid, never by name.
"""

from __future__ import annotations

import glob
import http.client
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_port(port: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


class Redis:
    """A redis-server of this test's own on ``port``: no persistence, loopback only."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not _wait_port(self.port):
            self.stop()
            raise RuntimeError(f"redis-server did not listen on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


@contextmanager
def redis_server():
    if shutil.which("redis-server") is None:
        from tests.conftest import require_service

        require_service("redis-server", "the binary is not installed")
    server = Redis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def server_env(database_url: str, **extra: str) -> dict:
    """Production settings on loopback HTTP: the test's secrets, so that keys made in
    the test process decrypt in the server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW", "PYTEST"))}
    env.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
                "ALLOWED_HOSTS": "127.0.0.1,localhost", "IAM_HTTPS": "false",
                "IAM_SECURE_COOKIES": "false", "DEBUG": "false", "LOG_LEVEL": "WARNING",
                "CELERY_TASK_ALWAYS_EAGER": "false"})
    env.update(extra)
    return env


@contextmanager
def app_server(env: dict, *, workers: int = 2, timeout: float = 30):
    """gunicorn serving the app on a free loopback port; yields its base URL."""
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "iamconsole.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--timeout", "20", "--graceful-timeout", "5",
         "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                if get(f"http://127.0.0.1:{port}/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer /healthz in time")
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError("gunicorn exited: " + log.read().decode()[-2000:])
        yield Served(f"http://127.0.0.1:{port}", log)
    finally:
        _stop(process)
        log.close()


class Served(str):
    """The server's base URL, which can also show what the server logged."""

    def __new__(cls, url: str, log):
        served = super().__new__(cls, url)
        served._log = log
        return served

    def log_text(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")


def get(url: str, *, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Browser:
    """A cookie-keeping HTTP client that signs in to the console as a browser does."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def request(self, path: str, data: dict | None = None, *, timeout: float = 10):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def sign_in(self, account: str, user: str, password: str):
        status, _, page = self.request(f"/signin/{account}/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, (status, page[:300])
        return self.request("/signin", {"csrfmiddlewaretoken": token.group(1).decode(),
                                        "kind": "iam", "account": account, "user_name": user,
                                        "password": password})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class Cluster:
    """A PostgreSQL cluster of this test's own, in a temporary directory, run as the
    ``postgres`` OS user: restarting it disturbs nobody else."""

    def __init__(self, binaries: Path):
        self.bin = binaries
        self.dir = Path(tempfile.mkdtemp(prefix="iam-sec-pg-"))
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/iam"
        shutil.chown(self.dir, "postgres", "postgres")

    def _as_postgres(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")

    def create(self) -> None:
        self._as_postgres(str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-A", "trust",
                          "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self._as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                          "-U", "postgres", "iam")

    def _pg_ctl(self, *args: str) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-o", options,
                          "-l", str(self.dir / "log"), "-w", "-t", "30", *args)

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("-m", "fast", "restart")

    def destroy(self) -> None:
        try:
            self._pg_ctl("-m", "immediate", "stop")
        except subprocess.SubprocessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def answered(base: str, path: str = "/healthz", timeout: float = 5) -> bool:
    try:
        connection = http.client.HTTPConnection(base.split("//")[1], timeout=timeout)
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
