"""Run `timeline serve` (gunicorn with gunicorn.conf.py) for a test, and talk to it over HTTP."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMELINE = [sys.executable, "-m", "api.cli"]


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(base: str, method: str, path: str, body=None, headers=None):
    """Send one request; return (status, headers, body bytes)."""
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(  # noqa: S310 - a local test server
        base + path, data=data, method=method, headers=all_headers
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def request_json(base: str, method: str, path: str, body=None, headers=None):
    """Send one request; return (status, headers, parsed JSON or None)."""
    status, response_headers, raw = request(base, method, path, body, headers)
    return status, response_headers, json.loads(raw) if raw else None


def seeded_sqlite(folder: Path, name: str) -> tuple[str, dict[str, str]]:
    """Create and seed `folder/name.db` with `timeline`; return its URL and the environment."""
    database_url = f"sqlite:///{folder / f'{name}.db'}"
    env = {**os.environ, "TIMELINE_DATABASE_URL": database_url, "TIMELINE_SECRET_KEY": name}
    for command in (["init-db"], ["seed"]):
        subprocess.run([*TIMELINE, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    return database_url, env


def create_token(env: dict[str, str], name: str) -> str:
    """Create a write token with `timeline token create`; return its secret."""
    created = subprocess.run(
        [*TIMELINE, "token", "create", name],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return created.stdout.strip().splitlines()[-1]


@contextmanager
def serving(database_url: str, log: Path, *, workers: int, **settings: str) -> Iterator[str]:
    """Serve the database with gunicorn until the block ends; yield the base URL."""
    port = free_port()
    env = {
        **os.environ,
        "TIMELINE_DATABASE_URL": database_url,
        "TIMELINE_SECRET_KEY": "served",
        "TIMELINE_LOG_ACCESS": "false",
        **{f"TIMELINE_{name.upper()}": value for name, value in settings.items()},
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*TIMELINE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request(base, "GET", "/readyz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait()
        pytest.fail(log.read_text())
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
