"""Concurrent writers against gunicorn (4 workers): nothing lost, no lost update, no errors.

16 clients send 2,000 creates between them, with reads, and keep patching a few shared events
from ETags that other clients make stale. Every response must be 2xx or 412; every create must
be there afterwards; every PATCH must be applied exactly once (its revision is in the history)
or answered 412 (its change is nowhere).
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import issue_token

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16
CREATES = 2_000
HOT_EVENTS = (
    "2022-02-24-russia-invades-ukraine",
    "2023-10-un-curbs-on-iran-missile-trade-expire",
    "2024-02-20-iranian-defense-ministry-says-russia-cooperation-unrelated-to-ukraine-war",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(base: str, method: str, path: str, body=None, headers=None):
    """Send one request; return (status, headers, parsed JSON or None)."""
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(  # noqa: S310 - a local test server
        base + path, data=data, method=method, headers=all_headers
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as response:  # noqa: S310 - local server
            raw = response.read()
            return response.status, response.headers, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, error.headers, json.loads(raw) if raw else None


@pytest.fixture
def server(seeded_app, database_url, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "TIMELINE_DATABASE_URL": database_url,
        "TIMELINE_SECRET_KEY": "concurrency",
        "TIMELINE_RATE_LIMIT_ENABLED": "false",
        "TIMELINE_LOG_ACCESS": "false",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "api.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
            ],
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
    yield base
    process.terminate()
    process.wait(timeout=30)


class Tally:
    """What the clients saw, counted under a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.unexpected: list[str] = []
        self.created: list[str] = []
        self.applied: dict[str, list[str]] = {event_id: [] for event_id in HOT_EVENTS}
        self.refused: dict[str, list[str]] = {event_id: [] for event_id in HOT_EVENTS}

    def saw(self, label: str, status: int, body) -> None:
        with self.lock:
            self.statuses[status] += 1
            if not (200 <= status < 300 or status == 412):
                self.unexpected.append(f"{label}: {status} {body}")


def client_run(base: str, token: str, number: int, tally: Tally) -> None:
    """One client: its share of creates, a read after each, and a contested PATCH every third."""
    auth = {"Authorization": f"Bearer {token}"}
    for sequence in range(CREATES // CLIENTS):
        body = {
            "title": f"Concurrent event {number}-{sequence}",
            "summary": "Written by the concurrency test.",
            "type": "report",
            "date": f"20{10 + sequence % 15:02d}-{1 + sequence % 12:02d}",
            "status": "reported",
            "actors": [{"id": "reuters", "role": "reporter"}],
            "sources": [{"id": "reuters-2024-02-21-iran-missiles-russia"}],
            "tags": ["concurrency"],
        }
        status, headers, reply = request(base, "POST", "/v1/events", body, auth)
        tally.saw("create", status, reply)
        if status == 201:
            with tally.lock:
                tally.created.append(reply["id"])
            status, _, reply = request(base, "GET", headers["Location"])
            tally.saw("read", status, reply)
        if sequence % 3 == 0:
            target = HOT_EVENTS[(number + sequence) % len(HOT_EVENTS)]
            status, headers, reply = request(base, "GET", f"/v1/events/{target}")
            tally.saw("read hot", status, reply)
            marker = f"patch {number}-{sequence}"
            status, _, reply = request(
                base,
                "PATCH",
                f"/v1/events/{target}",
                {"note": marker},
                {
                    **auth,
                    "If-Match": headers["ETag"],
                    "Content-Type": "application/merge-patch+json",
                },
            )
            tally.saw("patch", status, reply)
            with tally.lock:
                (tally.applied if status == 200 else tally.refused)[target].append(marker)
        if sequence % 10 == 0:
            status, _, reply = request(
                base, "GET", "/v1/events?tag=concurrency&limit=20&sort=-date"
            )
            tally.saw("list", status, reply)


def test_concurrent_creates_reads_and_conflicting_patches_lose_nothing(server, seeded_app):
    token = issue_token("write", "concurrency")
    tally = Tally()
    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        for future in [pool.submit(client_run, server, token, n, tally) for n in range(CLIENTS)]:
            future.result()
    elapsed = time.monotonic() - started

    assert tally.unexpected == []
    assert len(tally.created) == CREATES
    _, _, listed = request(server, "GET", "/v1/events?tag=concurrency&count=true&limit=1")
    assert listed["meta"]["total"] == CREATES
    ids = set()
    url = "/v1/events?tag=concurrency&limit=500"
    while url:
        _, _, page = request(server, "GET", url)
        ids.update(event["id"] for event in page["data"])
        url = page["links"]["next"] and page["links"]["next"].removeprefix(server)
    assert ids == set(tally.created)

    for event_id in HOT_EVENTS:
        _, _, history = request(server, "GET", f"/v1/events/{event_id}/revisions")
        notes = [r["record"]["note"] for r in history["data"] if r["via"] == "api"]
        assert sorted(notes) == sorted(tally.applied[event_id])
        assert not set(notes) & set(tally.refused[event_id])

    patches = sum(len(v) for v in tally.applied.values()) + sum(
        len(v) for v in tally.refused.values()
    )
    statuses = dict(sorted(tally.statuses.items()))
    print(
        f"\nconcurrency: {sum(tally.statuses.values())} requests in {elapsed:.1f}s, "
        f"statuses {statuses}, creates {len(tally.created)}/{CREATES}, "
        f"patches {patches} ({sum(len(v) for v in tally.applied.values())} applied, "
        f"{sum(len(v) for v in tally.refused.values())} answered 412), "
        f"errors {len(tally.unexpected)}, events lost {CREATES - len(ids)}"
    )
