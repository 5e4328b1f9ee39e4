"""deploy/nginx.conf in front of the app: slow clients and over-budget reads leave others served.

nginx is Debian's (CI installs it and sets TIMELINE_REQUIRE_NGINX=1, so it never skips there).
The shipped config is used as it is, with only its ports and cache folder moved for the test.
"""

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from served import ROOT, TIMELINE, free_port, request, serving

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLOW_CLIENTS = 50
OVER_BUDGET = "/v1/stats/histogram?interval=week&group_by=actor"


def _nginx_or_skip() -> None:
    if Path(NGINX).exists():
        return
    if os.environ.get("TIMELINE_REQUIRE_NGINX") == "1":
        pytest.fail(f"nginx is required here but {NGINX} does not exist")
    pytest.skip("no nginx on this machine (CI installs it and never skips)")


def _site(app_port: int, port: int, folder: Path) -> str:
    """Return deploy/nginx.conf with the test's ports and cache folder, nothing else changed."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    for shipped, here in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("listen [::]:80;", ""),
        ("/var/cache/nginx/timeline", str(folder / "cache")),
    ):
        assert shipped in site
        site = site.replace(shipped, here)
    return site


def _main_config(folder: Path) -> str:
    """Return what Debian's /etc/nginx/nginx.conf provides around a site, in `folder`."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    return f"""
user root;
daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {folder / "site.conf"};
}}
"""


@pytest.fixture
def proxied(tmp_path):
    """Yield the base URL of nginx (the shipped config) in front of gunicorn on 3,000 events."""
    _nginx_or_skip()
    database_url = f"sqlite:///{tmp_path / 'proxied.db'}"
    env = {**os.environ, "TIMELINE_DATABASE_URL": database_url}
    for command in (["init-db"], ["generate", "--events", "3000", "--seed", "5"]):
        subprocess.run([*TIMELINE, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    # A budget of 1 ms: the week-by-actor histogram is always over it.
    settings = {"query_timeout_ms": "1", "trusted_proxies": "1"}
    with serving(database_url, tmp_path / "gunicorn.log", workers=2, **settings) as app_base:
        port = free_port()
        (tmp_path / "site.conf").write_text(_site(urlsplit(app_base).port, port, tmp_path))
        (tmp_path / "nginx.conf").write_text(_main_config(tmp_path))
        process = subprocess.Popen(
            [NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while request_or_none(base, "/healthz") != 200:
                assert process.poll() is None, (tmp_path / "error.log").read_text()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


def request_or_none(base: str, path: str) -> int | None:
    """Return the status of a GET, or None when nothing answers yet."""
    try:
        return request(base, "GET", path)[0]
    except OSError:
        return None


def _slow_client(port: int) -> socket.socket:
    """Open a connection that starts a request and sends the rest one byte at a time."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(b"GET /v1/events?limit=1 HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
    return connection


def test_slow_clients_and_over_budget_reads_leave_a_cheap_get_answering(proxied):
    port = urlsplit(proxied).port
    slow = [_slow_client(port) for _ in range(SLOW_CLIENTS)]
    over_budget: list[tuple[int, dict]] = []

    def read_over_budget() -> None:
        status, _, body = request(proxied, "GET", OVER_BUDGET)
        over_budget.append((status, json.loads(body)))

    readers = [threading.Thread(target=read_over_budget) for _ in range(3)]
    for reader in readers:
        reader.start()
    probes = []
    try:
        for _ in range(10):
            for connection in slow:
                connection.sendall(b"x")
            started = time.monotonic()
            status = request(proxied, "GET", "/healthz")[0]
            probes.append((status, time.monotonic() - started))
            time.sleep(0.3)
    finally:
        for connection in slow:
            connection.close()
        for reader in readers:
            reader.join(timeout=30)
    # Each probe answered, and well within a bound no starved server would meet (no target).
    assert [status for status, _ in probes] == [200] * 10
    assert max(seconds for _, seconds in probes) < 5, probes
    assert len(over_budget) == 3
    for status, problem in over_budget:
        assert status == 503
        assert problem["type"] == "/problems/query-timeout"


def test_the_page_is_served_from_nginxs_cache_the_second_time(proxied):
    first = request(proxied, "GET", "/")
    second = request(proxied, "GET", "/")
    assert first[0] == second[0] == 200
    assert second[1]["X-Cache-Status"] == "HIT"
    assert second[1]["Content-Security-Policy"] == first[1]["Content-Security-Policy"]
