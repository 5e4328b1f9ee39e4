"""Exports stream past the worker timeout: the worker reports alive as the chunks go out."""

import http.client
import os
import runpy
import socket
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from api.http import streaming
from served import ROOT, TIMELINE, serving


def test_a_stream_beats_as_time_passes_and_passes_every_chunk_on(monkeypatch):
    beats = []
    clock = iter([0.0, 0.1, 0.25, 0.3, 0.9, 0.95])
    monkeypatch.setattr(streaming.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(streaming, "beat", lambda: beats.append(True))
    chunks = list(streaming.kept_alive(["a", "b", "c", "d", "e"]))
    assert chunks == ["a", "b", "c", "d", "e"]
    # 0.25 and 0.9 are each 0.2 s or more after the last beat; 0.1, 0.3 and 0.95 are not.
    assert len(beats) == 2


def test_gunicorn_hands_each_worker_heartbeat_to_the_streams(monkeypatch):
    monkeypatch.setattr(streaming, "beat", streaming.beat)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    class Worker:
        notified = 0

        def notify(self) -> None:
            self.notified += 1

    worker = Worker()
    config["post_fork"](None, worker)
    streaming.beat()
    assert worker.notified == 1


@pytest.fixture(scope="module")
def served_export(tmp_path_factory):
    """gunicorn over 10,000 generated events whose exports may run for 1 s."""
    folder = tmp_path_factory.mktemp("export")
    database_url = f"sqlite:///{folder / 'export.db'}"
    env = {**os.environ, "TIMELINE_DATABASE_URL": database_url}
    for command in (["init-db"], ["generate", "--events", "10000", "--seed", "3"]):
        subprocess.run([*TIMELINE, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    with serving(database_url, folder / "gunicorn.log", workers=1, export_timeout_s="1") as base:
        yield base


def _export(base: str, *, pause_after_first_read: float) -> tuple[int, bytes, bool]:
    """Read the NDJSON export through a small window; return (status, body, complete)."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.sock = socket.socket()
    # A small receive window, so the server cannot hand the whole export to the kernel at once.
    connection.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    connection.sock.connect((url.hostname, url.port))
    connection.request("GET", "/v1/events/export?format=ndjson")
    response = connection.getresponse()
    body = response.read(65536)
    time.sleep(pause_after_first_read)
    try:
        body += response.read()
        complete = True
    except http.client.IncompleteRead as cut:
        body += cut.partial
        complete = False
    connection.close()
    return response.status, body, complete


def test_an_export_read_in_time_ends_with_its_last_line(served_export):
    status, body, complete = _export(served_export, pause_after_first_read=0)
    assert (status, complete) == (200, True)
    assert len(body.splitlines()) == 10_000


def test_an_export_that_outlives_its_budget_ends_incomplete_not_clean(served_export):
    # The client stalls past the export's 1 s: the next batch is over budget, and the
    # chunked body stops without its last chunk, so the client knows it is partial.
    status, body, complete = _export(served_export, pause_after_first_read=1.5)
    assert (status, complete) == (200, False)
    assert 0 < len(body.splitlines()) < 10_000
    # The server goes on.
    assert _export(served_export, pause_after_first_read=0)[2]
