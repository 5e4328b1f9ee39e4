"""The production server: `timeline serve` with gunicorn.conf.py answers over real HTTP."""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local server
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "TIMELINE_DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "TIMELINE_SECRET_KEY": "served",
        "TIMELINE_LOG_ACCESS": "false",
    }
    timeline = [sys.executable, "-m", "api.cli"]
    for command in (["init-db"], ["seed"]):
        subprocess.run([*timeline, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*timeline, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _get(f"{base}/readyz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait()
        pytest.fail(log.read_text())
    yield base
    process.terminate()
    process.wait(timeout=15)


def test_serve_answers_the_issue_queries(server):
    status, _, body = _get(f"{server}/v1/events?from=2023-10&to=2023-10")
    assert status == 200
    ids = [event["id"] for event in json.loads(body)["data"]]
    assert "2023-10-un-curbs-on-iran-missile-trade-expire" in ids
    status, headers, body = _get(f"{server}/v1/events?from=2024-02-30")
    assert (status, headers["Content-Type"]) == (400, "application/problem+json")
    assert "from" in json.loads(body)["errors"]


def test_gunicorn_refuses_an_over_long_url_as_a_problem(server):
    status, headers, body = _get(f"{server}/v1/events?cursor={'a' * 6000}")
    assert (status, headers["Content-Type"]) == (414, "application/problem+json")
    assert json.loads(body)["status"] == 414


def test_the_config_serves_the_factory_without_a_control_socket(monkeypatch):
    for name in ("TIMELINE_BIND", "TIMELINE_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "api:create_app()"
    assert config["control_socket_disable"] is True
    assert (config["bind"], config["workers"]) == ("127.0.0.1:8000", 2)
