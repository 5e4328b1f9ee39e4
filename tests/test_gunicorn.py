"""The production server: `timeline serve` with gunicorn.conf.py answers over real HTTP."""

import json
import os
import runpy
import socket
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from served import ROOT, TIMELINE, create_token, request, seeded_sqlite, serving


@pytest.fixture
def server(tmp_path):
    database_url, _ = seeded_sqlite(tmp_path, "served")
    with serving(database_url, tmp_path / "gunicorn.log", workers=2) as base:
        yield base


def test_serve_answers_the_issue_queries(server):
    status, _, body = request(server, "GET", "/v1/events?from=2023-10&to=2023-10")
    assert status == 200
    ids = [event["id"] for event in json.loads(body)["data"]]
    assert "2023-10-un-curbs-on-iran-missile-trade-expire" in ids
    status, headers, body = request(server, "GET", "/v1/events?from=2024-02-30")
    assert (status, headers["Content-Type"]) == (400, "application/problem+json")
    assert "from" in json.loads(body)["errors"]


def test_gunicorn_refuses_an_over_long_url_as_a_problem(server):
    status, headers, body = request(server, "GET", f"/v1/events?cursor={'a' * 6000}")
    assert (status, headers["Content-Type"]) == (414, "application/problem+json")
    assert json.loads(body)["status"] == 414


def test_the_config_serves_the_factory_without_a_control_socket(monkeypatch):
    for name in ("TIMELINE_BIND", "TIMELINE_WORKERS", "TIMELINE_WORKER_CLASS", "TIMELINE_THREADS"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["wsgi_app"] == "api:create_app()"
    assert config["control_socket_disable"] is True
    assert (config["bind"], config["workers"]) == ("127.0.0.1:8000", 2)
    # A slow client holds one thread, not a whole worker (docs/scaling.md, slow clients).
    assert (config["worker_class"], config["threads"]) == ("gthread", 8)


@pytest.mark.parametrize(("trusted", "logged"), [("0", "127.0.0.1"), ("1", "203.0.113.7")])
def test_the_access_log_names_the_address_rate_limits_count(tmp_path, trusted, logged):
    database_url = f"sqlite:///{tmp_path / 'served.db'}"
    env = {**os.environ, "TIMELINE_DATABASE_URL": database_url}
    subprocess.run([*TIMELINE, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = tmp_path / "gunicorn.log"
    with serving(database_url, log, workers=1, log_access="true", trusted_proxies=trusted) as base:
        headers = {"X-Forwarded-For": "203.0.113.7"}
        assert request(base, "GET", "/v1/event-types", headers=headers)[0] == 200
    lines = [line for line in log.read_text().splitlines() if "/v1/event-types" in line]
    assert len(lines) == 1
    assert lines[0].split()[0] == logged


def _slow_connection(port: int, head: bytes) -> socket.socket:
    """Open a connection that has sent `head` and will send the rest a byte at a time."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(head)
    return connection


def test_slow_clients_leave_the_default_server_answering(tmp_path):
    # Three clients trickle their headers and two their bodies, straight at `timeline serve`
    # (no proxy in front): each holds a thread, and the other threads go on answering.
    database_url, env = seeded_sqlite(tmp_path, "served")
    token = create_token(env, "slow")
    body_head = (
        "POST /v1/events HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 100000\r\n\r\n{{"
    ).encode()
    with serving(database_url, tmp_path / "gunicorn.log", workers=2) as base:
        port = urlsplit(base).port
        slow = [
            _slow_connection(port, b"GET /v1/events?limit=1 HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
            for _ in range(3)
        ] + [_slow_connection(port, body_head) for _ in range(2)]
        probes = []
        try:
            for turn in range(10):
                for connection in slow:
                    connection.sendall(b" ")
                started = time.monotonic()
                path = ("/healthz", "/v1/events?limit=1")[turn % 2]
                probes.append((request(base, "GET", path)[0], time.monotonic() - started))
                time.sleep(0.3)
        finally:
            for connection in slow:
                connection.close()
    # Each probe answered, well within a bound no starved server would meet (no target).
    assert [status for status, _ in probes] == [200] * 10
    assert max(seconds for _, seconds in probes) < 5, probes
